"""The static-files storage of production and `make run` (settings.STORAGES, DEBUG off).

WhiteNoise's manifest storage: hashed names (jejaring.0123456789ab.css) that WhiteNoise
serves with "Cache-Control: max-age=315360000, public, immutable", and gzip copies (Brotli
too where the brotli package is installed).
Source-map comments are left as they are: the vendored minified libraries name .map files
that are not vendored (browsers ask for them only with the developer tools open), and the
manifest storage would refuse to collect a file whose reference it cannot resolve.
"""

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    for extension, rules in patterns:
        kept = tuple(rule for rule in rules if "sourceMappingURL" not in str(rule))
        if kept:
            yield extension, kept


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(_without_source_maps(HashedFilesMixin.patterns))
