"""Management commands of the workflows app (``manage.py evaluate``)."""
