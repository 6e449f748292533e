"""Editions: periods, editors' notes, the edition model, the email and its commands.

Everything an edition is, on plain data (``periods``, ``notes``, ``model``),
the newsletter built from it and sent over SMTP (``newsletter``), and the
curator's ``edition next`` and ``send-edition`` commands (``cli``). The
``editions`` plugin only connects them to a build.
"""
