"""The web console: static pages served by the app under ``/console``.

The pages are plain HTML, CSS and JavaScript (no build step) that talk to
the v1 API from the browser, with the browser's own credentials; uPlot
(MIT, ``static/uPlot.LICENSE``) draws the series.
"""
