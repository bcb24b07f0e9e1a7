"""The first article's Flask app, in Python 3: one route that prints `Done !` and answers."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    print("Done !", flush=True)
    return "Hello World!"


if __name__ == "__main__":
    app.run()
