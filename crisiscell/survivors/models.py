"""The identity vault: who the survivor is, kept apart and encrypted.

Nothing here holds a name, CNIC, phone number, address or date of birth in clear:
those live only inside ``VaultRecord`` ciphertexts. What stays in clear is what
the cell's work and its statistics need without knowing who she is: sex, age
(possibly estimated), how she may be contacted, and a guardian's relationship.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from crisiscell.core.models import BaseModel


class VaultRecord(models.Model):
    """One encrypted identity (survivor, guardian, perpetrator identifiers, intake draft)."""

    class Kind(models.TextChoices):
        SURVIVOR = "survivor", _("survivor")
        GUARDIAN = "guardian", _("guardian")
        PERPETRATOR = "perpetrator", _("alleged perpetrator")
        DRAFT = "draft", _("intake draft")

    id = models.UUIDField(primary_key=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key_id = models.CharField(max_length=40, db_index=True)
    wrapped_key = models.BinaryField()
    ciphertext = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vault record")

    def __str__(self) -> str:
        return f"vault {self.kind} {self.pk}"


class VaultLookup(models.Model):
    """A keyed hash of a CNIC or phone number, for exact look-up of a returning survivor."""

    class Kind(models.TextChoices):
        CNIC = "cnic", "CNIC"
        PHONE = "phone", _("phone")

    record = models.ForeignKey(VaultRecord, on_delete=models.CASCADE, related_name="lookups")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.BinaryField(max_length=32)
    cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["digest"], name="vault_lookup_digest")]

    def __str__(self) -> str:
        return f"lookup {self.kind}"


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    TRANSGENDER = "transgender", _("Transgender")


class CallWindow(models.TextChoices):
    ANY_TIME = "any", _("Any time")
    DAYTIME = "day", _("Daytime only (9 am to 5 pm)")
    EVENING = "evening", _("Evenings only")
    NEVER = "never", _("Never call")


class Survivor(BaseModel):
    """A person the cell serves. Known to most staff only through her case codes."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="survivors")
    identity = models.OneToOneField(VaultRecord, on_delete=models.PROTECT, related_name="survivor")
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices)
    # Age at registration; the date of birth, when known, is in the vault.
    age_years = models.PositiveSmallIntegerField(_("age in years"), null=True, blank=True)
    age_estimated = models.BooleanField(_("age is an estimate"), default=False)
    registered_at = models.DateTimeField()
    may_call = models.BooleanField(_("we may phone her"), default=False)
    may_text = models.BooleanField(_("we may send a text message"), default=False)
    call_window = models.CharField(
        _("when we may call"), max_length=8, choices=CallWindow.choices, default=CallWindow.NEVER
    )

    class Meta:
        verbose_name = _("survivor")

    def __str__(self) -> str:
        return f"survivor {self.pk}"


class GuardianRelationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Adult sibling")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian appointed by a court")
    CHILD_PROTECTION = "child_protection", _("Child protection officer")
    OTHER = "other", _("Other relative or carer")


class IdentityCheck(models.TextChoices):
    CNIC_SEEN = "cnic_seen", _("CNIC seen")
    B_FORM = "b_form", _("Child registration certificate (B-form) seen")
    POLICE_LETTER = "police_letter", _("Police or court letter")
    KNOWN = "known", _("Known to staff; no document")
    NOT_CHECKED = "not_checked", _("Not checked")


class Guardian(BaseModel):
    """An adult who accompanies a child and may consent for her (see the consent rules)."""

    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="guardians")
    identity = models.OneToOneField(VaultRecord, on_delete=models.PROTECT, related_name="guardian")
    relationship = models.CharField(_("relationship"), max_length=20, choices=GuardianRelationship.choices)
    identity_checked = models.CharField(_("how identity was checked"), max_length=16, choices=IdentityCheck.choices)
    is_alleged_perpetrator = models.BooleanField(_("is an alleged perpetrator"), default=False)

    class Meta:
        verbose_name = _("guardian")

    def __str__(self) -> str:
        return f"guardian {self.pk}"
