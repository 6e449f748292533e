"""What readers and machines learn about an item beyond its page.

Related and neighbouring stories (``related``), and the structured data that
search engines, social cards and feeds are told (``structured``). The
``discovery`` plugin writes them into pages, sitemaps and robots.txt.
"""
