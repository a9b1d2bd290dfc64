"""The yardstick: a one-route Flask app served by the same gunicorn settings as the portal, in the
same run. Each page's requests per second are read as a share of this one's."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
