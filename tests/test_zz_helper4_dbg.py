import re
from tests.test_imports import *  # noqa

def test_dbg(as_user, org):
    client = as_user(OWNER)
    with (FIXTURES / "district.xlsx").open("rb") as handle:
        response = client.post(reverse("imports:list"), {"file": handle})
    job = ImportJob.objects.get()
    form = {f"col_{i}": job.mapping.get(h, "") for i, h in enumerate(job.headers)}
    print("HEADERS", job.headers, job.mapping)
    response = client.post(reverse("imports:mapping", args=[job.pk]), form)
    html = response.content.decode()
    print("STATUS", response.status_code)
    for m in re.findall(r'class="errors?[^"]*"[^>]*>(.*?)</', html, re.S): print("ERR", m)
    for m in re.findall(r'<li>(.*?)</li>', html, re.S)[:20]: print("LI", m)
