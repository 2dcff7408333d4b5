from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.models import StampedOnSave
from jejaring.core.scoping import RestrictedQuerySet

from .policies import ImportJobPolicy, LinkReviewPolicy


class JobStatus(models.TextChoices):
    # The worker looks for the header row: a workbook can unpack to far more than its
    # upload size, so that never happens inside the upload request.
    READING = "reading", _("Reading the file")
    MAPPING = "mapping", _("Columns to confirm")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked, ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Stopped by an error")
    CANCELLED = "cancelled", _("Cancelled")


# The row outcomes every report counts, in the order it lists them.
ROW_COUNTS = ("rows", "created", "linked", "review", "same_in_file", "already", "refused")

# A job in these states has work in the background: it cannot be changed meanwhile.
BUSY = (JobStatus.READING, JobStatus.CHECKING, JobStatus.IMPORTING)


class ImportJob(models.Model):
    """One spreadsheet a district office uploaded: its column mapping, the dry-run
    report, and the loading, which goes batch by batch and can resume where it stopped."""

    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=clock.now, editable=False)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_type = models.CharField(max_length=8)
    encoding = models.CharField(max_length=20, blank=True)
    sheet_name = models.CharField(max_length=100, blank=True)
    header_row = models.PositiveIntegerField(default=0)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, help_text="column label → field code")
    notes = models.JSONField(default=list)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=JobStatus.choices,
        default=JobStatus.MAPPING,
        db_index=True,
    )
    # Progress of the phase running now (check or import), for the progress bar.
    total_rows = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Where a stopped import resumes: the index of the first data row not yet loaded.
    next_index = models.PositiveIntegerField(default=0)
    # People with an id above this were created after the import started: linkage
    # compares with the registry as it was, so a resumed run decides the same way.
    registry_max_person_id = models.BigIntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict)
    problem_count = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker running the check or the load holds a lease and renews it after every
    # batch (imports/leases.py): a worker that died stops renewing, so an expired lease
    # tells a stopped job from a running one. Empty while no worker has the job yet.
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The Fellegi–Sunter parameters this run estimated from its own data
    # (``linkage.Model.to_dict()``): any link or review pair can be explained later.
    linkage_model = models.JSONField(default=dict, blank=True)
    # Per mapped column: what was kept, what was set aside and why (the report's table).
    column_report = models.JSONField(default=list, blank=True)
    # Header labels of the columns nothing reads: listed so nobody loses data unseen.
    unused_columns = models.JSONField(default=list, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ImportJobPolicy()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"import #{self.pk}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, round(100 * self.rows_done / self.total_rows))

    @property
    def is_busy(self) -> bool:
        return self.status in BUSY

    def exact_counts(self) -> dict[str, int]:
        """The job's numbers as the page, the API and the command report them: every row
        counted once, problems never capped, and the review pairs as stored."""
        counts = {key: int(value) for key, value in self.counts.items()}
        summary = {key: counts.get(key, 0) for key in ROW_COUNTS}
        summary["review_rows"] = counts.get("review", 0)
        stored = 0
        if self.status == JobStatus.DONE:
            # The job list annotates it in the jobs' own query (no query per job).
            stored = getattr(self, "stored_reviews", None)
            if stored is None:
                stored = LinkReview.objects.filter(job=self).count()
        # Before loading nothing is stored: the dry run's pairs (registry and in-file) say
        # what the queue will receive.
        summary["review"] = stored or counts.get("review", 0) + counts.get("file_reviews", 0)
        summary["problems"] = self.problem_count
        summary["error_rows"] = self.error_rows
        return {**counts, **summary}

    @property
    def resumable(self) -> bool:
        """A load that stopped (an error, a crash, a restart) continues where it stopped."""
        return self.status == JobStatus.FAILED and self.started_at is not None


class ImportProblem(models.Model):
    """Something wrong (error: the row is not loaded) or assumed (warning) in one cell."""

    class Severity(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=200)
    message = models.TextField(_("problem"))
    severity = models.CharField(max_length=8, choices=Severity.choices)

    class Meta:
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}"


class RowOutcome(models.TextChoices):
    CREATED = "created", _("New person")
    LINKED = "linked", _("Linked to an existing person")
    REVIEW = "review", _("New person, sent for review")
    SAME_IN_FILE = "same_in_file", _("Same person as an earlier row")
    ALREADY_IMPORTED = "already", _("Already imported before")
    # Only a row with no usable identity: no name, or a name with nothing else (no birth
    # date or year, no sex, no village).
    REFUSED = "refused", _("Refused: no usable identity")


class ImportedRow(models.Model):
    """A loaded row and the person it went to: re-importing the same row creates nothing,
    and a resumed import knows the people its earlier batches created."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    row = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=32)
    # Null for a refused row: every row of the file is traceable, the refused ones too.
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=12, choices=RowOutcome.choices)
    # [{"column", "message", "severity", "kept"}]: what was set aside on this row and why.
    problems = models.JSONField(default=list, blank=True)
    # Why a linked row went to its person (the registry person, or the earlier row of the
    # file it repeats): the match weight and its waterfall [[comparison, level, weight]]
    # under the job's model. Empty for rows that created a person or matched exactly.
    weight = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["job", "row"]
        indexes = [
            models.Index(fields=["organisation", "fingerprint"], name="imports_row_fingerprint"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="imports_importedrow_unique_row")
        ]

    def __str__(self) -> str:
        return f"row {self.row} → #{self.person_id}"


class ColumnMapping(StampedOnSave, models.Model):
    """An organisation's remembered mapping for a spreadsheet layout (its set of
    headers), so next month's file of the same form maps itself."""

    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    layout_key = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("saved column mapping")
        verbose_name_plural = _("saved column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "layout_key"], name="imports_columnmapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"mapping #{self.pk}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    MERGED = "merged", _("Merged")
    KEPT_APART = "kept_apart", _("Kept apart")


# What the reasons of pairs proposed before the learnt model mean (old hand-set codes).
REASON_LABELS = {
    "nik": _("same NIK"),
    "nik_typo": _("NIK one digit apart"),
    "name": _("same name"),
    "name_similar": _("similar name"),
    "name_close": _("close name"),
    "birth_date": _("same birth date"),
    "birth_date_swapped": _("birth date with day and month swapped"),
    "birth_year": _("same birth year"),
    "village": _("same village"),
    "regency": _("same regency/city"),
    "mother": _("same mother's name"),
    "father": _("same father's name"),
    "kk": _("same family card"),
}


class LinkReview(models.Model):
    """Two records that may be one person, waiting for a data officer's decision.

    ``record`` is the newer record (from an import, or the later registration), and
    ``candidate`` the existing one it resembles; merging folds ``record`` into
    ``candidate`` through the registry's reversible merge.
    """

    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    record = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(_("score"))
    reasons = models.JSONField(default=list)
    # The waterfall: [[comparison, level, weight]], each comparison's share of ``score``
    # (the match weight, log2 odds) under the model that proposed the pair.
    evidence = models.JSONField(default=list, blank=True)
    job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    merge = models.ForeignKey(
        "registry.PersonMerge", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = LinkReviewPolicy()

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "candidate"], name="imports_linkreview_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(record=models.F("candidate")),
                name="imports_linkreview_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.record_id} ~ #{self.candidate_id}"

    @property
    def reason_labels(self) -> list[str]:
        """The agreeing comparisons in words: "comparison:level" codes of the learnt model,
        or the codes of the old hand-set scores on pairs made before it."""
        from .linkage import LEVEL_LABELS

        labels = []
        for code in self.reasons:
            comparison, _sep, level = str(code).partition(":")
            label = LEVEL_LABELS.get((comparison, level)) if level else REASON_LABELS.get(code)
            labels.append(str(label or code))
        return labels


class LinkageModelSource(models.TextChoices):
    IMPORT = "import", _("An import")
    REGISTRY = "registry", _("The whole registry")


class LinkageModel(models.Model):
    """Fellegi–Sunter parameters estimated from one body of data (an import's file with
    its registry candidates, or the registry itself). The newest registry model is the
    one the duplicate guard at entry scores with, so entry and import agree."""

    organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=10, choices=LinkageModelSource.choices)
    job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    params = models.JSONField(default=dict)
    records = models.PositiveIntegerField(default=0)
    pairs = models.PositiveBigIntegerField(default=0)
    # The real time, not the settable clock (jejaring/core/clock.py): the newest model
    # is the one the entry guard scores with, so a model learnt with the clock set back
    # must still count as the newest.
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"linkage model #{self.pk} ({self.source})"
