"""The `jejaring` console command: Django's manage.py under the product's name.

`jejaring migrate`, `jejaring demo`, `jejaring load_regions`, `jejaring token USERNAME`…
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jejaring.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jejaring", *sys.argv[1:]])


if __name__ == "__main__":
    main()
