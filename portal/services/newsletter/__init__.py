"""The programme's newsletter: subscriptions with double opt-in (`subscriptions.py`), the issues
staff write and send (`issues.py`), and what their e-mails say (`newsletter_mail.py`)."""
