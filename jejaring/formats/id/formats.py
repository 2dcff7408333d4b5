"""Indonesian dates as the offices write them: 12 Des 2026, 12-12-2026, 12-12-2026 14.30.

Django's Indonesian formats, except the long date: Django's "j N Y" gives the Associated
Press abbreviations ("12 Des. 2026", "3 Sep. 2026"); "j M Y" gives the three letters
without a full stop ("12 Des 2026", "3 Sep 2026").
"""

from django.conf.locale.id.formats import *  # noqa: F403

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, G.i"
