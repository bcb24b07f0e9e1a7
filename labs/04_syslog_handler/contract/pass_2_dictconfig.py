"""Variant: logging.config.dictConfig, two named loggers that do not propagate."""

import logging
import logging.config
import os

token = os.environ["LAB_TOKEN"]

logging.config.dictConfig(
    {
        "version": 1,
        "handlers": {
            "user": {"class": "logging.handlers.SysLogHandler", "address": "/dev/log"},
            "local0": {
                "class": "logging.handlers.SysLogHandler",
                "address": "/dev/log",
                "facility": "local0",
            },
        },
        "loggers": {
            "app": {"handlers": ["user"], "level": "INFO", "propagate": False},
            "app.alarm": {"handlers": ["local0"], "level": "WARNING", "propagate": False},
        },
    }
)
for name in ("app", "app.alarm"):
    logging.getLogger(name).handlers[0].ident = "lab4: "
logging.getLogger("app").info(f"dictConfig info {token}")
logging.getLogger("app.alarm").warning(f"dictConfig warning {token}")
