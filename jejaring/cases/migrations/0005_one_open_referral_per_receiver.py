from django.db import migrations, models


class Migration(migrations.Migration):
    """At most one open (sent or accepted) referral per case and receiver, so two
    requests sending the same referral at once cannot both succeed."""

    dependencies = [
        ("cases", "0004_service_region"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ("sent", "accepted"))),
                fields=("from_case", "to_organisation"),
                name="cases_referral_one_open_per_case_and_receiver",
            ),
        ),
    ]
