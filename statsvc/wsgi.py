"""WSGI entry point for uwsgi: ``module = statsvc.wsgi:application``."""
import logging

from statsvc.api.app import setup_app

logging.basicConfig(level=logging.INFO,
                    format="%(asctime)s %(process)d %(levelname)s %(name)s: "
                           "%(message)s")

application = setup_app()
