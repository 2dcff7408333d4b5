"""The open-data catalogue: DCAT-AP in JSON-LD at /data/catalog.json, for CKAN's DCAT
harvester and any other that reads RDF (served as application/ld+json, which it
recognises by the content type)."""

import json

from django.http import HttpResponse

from .. import open_data


def catalog(request):
    base = request.build_absolute_uri("/").rstrip("/")
    body = json.dumps(open_data.catalog(base), ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type="application/ld+json; charset=utf-8")
