"""The product's date formats per language (settings.FORMAT_MODULE_PATH), on top of
Django's own: only what differs is set here."""
