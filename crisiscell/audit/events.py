"""Every audit event code, with what it means. ``README.md`` in this package lists them.

A code is ``<domain>.<what happened>``. ``audit_record`` refuses a code that is not
here, so the list stays complete.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENT_CODES: dict[str, Promise] = {
    # Authentication and sessions.
    "auth.login": _("A staff member logged in with password and second factor."),
    "auth.login_failed": _("A password step failed (unknown user or wrong password)."),
    "auth.otp_failed": _("A second-factor code was wrong."),
    "auth.locked_out": _("A username and address pair was locked out after repeated failures."),
    "auth.logout": _("A staff member logged out; every session of the user ended."),
    "auth.session_expired": _("A session ended by idle timeout or absolute lifetime."),
    "auth.otp_enrolled": _("A staff member enrolled a new TOTP second factor."),
    "auth.invitation_accepted": _("An invitation was used to set a password and second factor."),
    "auth.password_reset_requested": _("A password reset e-mail was requested."),
    "auth.password_reset_completed": _("A password was reset with an e-mailed link."),
    # Staff administration.
    "admin.staff_listed": _("A cell's staff list was viewed."),
    "admin.staff_invited": _("A cell head invited a new staff member."),
    "admin.staff_reinvited": _("A cell head reset a staff member's password and second factor."),
    "admin.role_changed": _("A membership's role was changed."),
    "admin.membership_deactivated": _("A membership was deactivated; the user's sessions ended."),
    "admin.user_deactivated": _("A staff account was deactivated; every session ended."),
    # The identity vault.
    "survivor.created": _("A survivor's identity was stored in the vault."),
    "survivor.linked": _("A new case was linked to a returning survivor."),
    "survivor.identity_viewed": _("A survivor's identity was decrypted and shown."),
    "survivor.identity_changed": _("A survivor's identity was changed (field names only)."),
    "survivor.looked_up": _("A returning survivor was searched for by CNIC or phone."),
    "survivor.guardian_added": _("A guardian of a child survivor was recorded."),
    "vault.keys_rotated": _("A batch of vault records was re-wrapped under a new master key."),
    # Cases and intake.
    "case.registered": _("A case was registered at intake."),
    "case.viewed": _("A case page was opened."),
    "case.listed": _("A list of cases was shown."),
    "case.updated": _("A case's recorded facts changed (field names only)."),
    "case.closed": _("A case was closed, with the reason."),
    "case.child_protection_flagged": _("A child protection concern was raised and a task created."),
    "consent.recorded": _("A consent decision was added to the ledger."),
    "consent.revoked": _("A consent was withdrawn."),
    "consent.refused_by_rules": _("A consent was refused because the person may not give it."),
    "task.taken": _("A staff member took a duty, offer or follow-up."),
    "task.closed": _("A duty, offer or follow-up was done, declined or marked not applicable."),
    "clock.resolved": _("A timed action was recorded as done, declined or not applicable."),
    "contact.attempted": _("An attempt to contact a survivor was recorded (method and outcome only)."),
    "alert.raised": _("Alerts about a deadline or a new case were raised for staff."),
    "rules.overridden": _("A rule in force was changed or restored for this deployment."),
    "stats.viewed": _("Counts across cells were viewed."),
    "intake.draft_saved": _("An unfinished intake was saved (encrypted)."),
    "intake.draft_opened": _("An unfinished intake was opened."),
    "intake.draft_discarded": _("An unfinished intake was discarded or registered."),
    # Duty roster.
    "roster.shift_created": _("A shift was added to a cell's duty roster."),
    "roster.shift_deleted": _("A shift was removed from a cell's duty roster."),
    "roster.assigned": _("A staff member was put on duty for a shift, in a role."),
    "roster.unassigned": _("A staff member was taken off a shift."),
    # Referrals and transfers.
    "referral.created": _("A case was referred to an outside service (kind and lawful basis only)."),
    "referral.status_changed": _("A referral moved to its next status (from and to only)."),
    "transfer.requested": _("A cell asked another cell to take a case over."),
    "transfer.accepted": _("A cell accepted a transfer; the case moved to it."),
    "transfer.declined": _("A cell declined a transfer; the case stayed where it was."),
    "transfer.listed": _("A cell's transfers (waiting for it, or handed over by it) were listed."),
    "transfer.viewed": _("A pending transfer's summary or a transferred-out case record was viewed."),
    # Documents.
    "document.disclosed": _("A copy of a document was issued and recorded in the disclosure ledger."),
    "document.court_bundle": _("A court bundle (custody report, proofs, verifier) was produced."),
    # Evidence and custody.
    "evidence.viewed": _("A case's evidence and chain of custody were viewed."),
    "evidence.registered": _("An evidence item was registered as collected."),
    "evidence.custody": _("An evidence item moved (collected, sealed, stored, handed over, sent, received...)."),
    "evidence.handover_requested": _("An evidence item was offered to a colleague, awaiting their code."),
    "evidence.handover_confirmed": _("A colleague confirmed receiving an evidence item with their second factor."),
    "evidence.handover_refused": _("A hand-over confirmation was refused (wrong code)."),
    "evidence.handover_cancelled": _("A pending hand-over was withdrawn by the giver."),
    "evidence.lab_submitted": _("Evidence items were sent to a laboratory."),
    "evidence.result_uploaded": _("A laboratory result was stored with its SHA-256."),
    "evidence.downloaded": _("A stored evidence file was downloaded."),
    "evidence.labels_printed": _("Evidence labels were printed."),
    "evidence.receipt_printed": _("A custody receipt was printed."),
    # Counselling.
    # Digital evidence (never content, names or identifiers).
    "digital.source_received": _("A file or archive was received for a case (kind, type, size, SHA-256, counts)."),
    "digital.source_viewed": _("A received file's details and unparsed lines were shown."),
    "digital.source_settings_changed": _("The time zone a chat is read in was changed (from and to)."),
    "digital.marked_intimate": _("An image was marked intimate (blurred for everyone)."),
    "digital.case_viewed": _("A case's digital evidence page was opened."),
    "digital.timeline_viewed": _("A case's message timeline was shown (whether filtered or searched, not the terms)."),
    "digital.image_viewed": _("An image's viewing copy was shown (blurred or not)."),
    "digital.intimate_viewed": _("An intimate image was shown unblurred, with a recorded reason."),
    "digital.exhibit_pinned": _("A message was pinned as an exhibit (offence codes only)."),
    "digital.ncii_recorded": _("A StopNCII or Take It Down case number was recorded (never the PIN)."),
    "digital.nccia_pack_issued": _("The NCCIA complaint pack was issued (exhibit count and file hashes)."),
    "digital.pack_downloaded": _("An issued NCCIA complaint pack was downloaded."),
    "digital.repeat_statistics_viewed": _("Counts of identifiers seen in several cases or cells were shown."),
    "counselling.listed": _("A psychologist's counselling list of a cell was shown."),
    "counselling.viewed": _("A case's counselling page was opened (no note text)."),
    "counselling.note_read": _("A counselling note was decrypted and shown (which note; never its text)."),
    "counselling.break_glass": _(
        "Someone who is not a psychologist read a case's counselling notes, with a written reason (kept apart)."
    ),
    "counselling.session_booked": _("A counselling session was booked."),
    "counselling.session_recorded": _("A counselling session was recorded as attended, missed or cancelled."),
    "counselling.first_aid_recorded": _("Psychological first aid was recorded."),
    "counselling.measure_recorded": _("A screening measure was given and scored (never the answers or score)."),
    "counselling.risk_assessed": _("A risk and safety assessment was recorded."),
    "counselling.flag_changed": _("A psychologist raised or lowered a risk flag on the board (never why)."),
    "counselling.safety_plan_saved": _("A safety plan was written or changed (encrypted)."),
    "counselling.safety_plan_viewed": _("A safety plan was decrypted and shown."),
    "counselling.safety_plan_printed": _("A safety plan was printed for her as a discreet PDF."),
    "counselling.plan_updated": _("The planned sessions or the flags shared with the team changed."),
    "counselling.closed": _("Counselling on a case was closed, with the reason."),
    # The medico-legal examination (object type "medical"; never the findings themselves).
    "medical.examination_started": _("A medico-legal examination record was opened, with its examiner."),
    "medical.case_viewed": _("A case's list of examinations and consents per part was shown (no findings)."),
    "medical.examination_viewed": _("A medico-legal examination record was opened and shown."),
    "medical.record_saved": _("The times, escort, history or state in an examination record were written."),
    "medical.findings_saved": _("The ano-genital findings of an examination were written (which sites only)."),
    "medical.injury_added": _("An injury was marked on a body diagram."),
    "medical.injury_removed": _("An injury marked by mistake was removed before signing."),
    "medical.sample_linked": _("A sample (evidence item) was linked to an examination."),
    "medical.sample_unlinked": _("A sample linked by mistake was unlinked before signing."),
    "medical.treatment_recorded": _("A treatment was recorded as given (with its time) or not given."),
    "medical.opinion_added": _("A conclusion with its reasons was added to the opinion."),
    "medical.opinion_removed": _("A conclusion was removed from the opinion before signing."),
    "medical.examination_signed": _("A medico-legal examination was signed and sealed (with its hash)."),
    "medical.addendum_added": _("A signed, timestamped addendum was added to a sealed examination."),
    "medical.certificate_issued": _("A copy of the medico-legal certificate was issued (to whom, in which language)."),
    # The audit log itself.
    "audit.log_viewed": _("The audit log was browsed or filtered."),
    "audit.proof_issued": _("An inclusion proof for an audit event was produced."),
    "audit.verified": _("The audit log was verified from the command line."),
    # Police and courts (crisiscell.justice): never what she said.
    "justice.viewed": _("A case's police and court page was opened."),
    "justice.statement_recorded": _("Her statement was recorded (encrypted; never its text)."),
    "justice.statement_read": _("Her statement was decrypted and shown (which statement; never its text)."),
    "justice.fir_draft_issued": _("An FIR application draft (CrPC 154) was issued on her consent to release."),
    "justice.jop_draft_issued": _("An application to the Justice of Peace (CrPC 22-A) was issued."),
    "justice.fir_refused": _("The police's refusal to register the FIR was recorded."),
    "justice.fir_recorded": _("The registered FIR was recorded."),
    "justice.police_case_updated": _("The police case was updated (field names only)."),
    "justice.investigation_transferred": _("The investigation was transferred on her dissatisfaction (ARITA s.9(4))."),
    "justice.arrest_recorded": _("An arrest was recorded (a count, never a name)."),
    "justice.magistrate_statement_requested": _("Her statement before a magistrate (CrPC 164) was requested."),
    "justice.magistrate_statement_recorded": _("Her statement before a magistrate (CrPC 164) was recorded."),
    "justice.magistrate_statement_refused": _("A second section 164 recording was refused (ARITA s.14)."),
    "justice.court_case_opened": _("The special court took cognizance; the trial clock started."),
    "justice.court_case_updated": _("The court case's conduct (in camera, video testimony) was updated."),
    "justice.hearing_recorded": _("A hearing was recorded (with its adjournment count)."),
    "justice.judgment_recorded": _("The judgment was recorded."),
    "justice.compromise_recorded": _("An attempted compromise was recorded (flagged if non-compoundable)."),
    "justice.appeal_filed": _("An appeal was recorded."),
    "justice.appeal_decided": _("An appeal's outcome was recorded."),
    "justice.legal_aid_applied": _("Her legal aid application was recorded; the 7-day clock started."),
    "justice.legal_aid_decided": _("The legal aid decision was recorded."),
    "justice.legal_aid_assigned": _("A panel lawyer or a support adviser was assigned."),
    "justice.panel_lawyer_added": _("A lawyer was added to a cell's legal aid panel list."),
    # The integration API (crisiscell.api).
    "api.client_created": _("An integration client was created for a police reporting centre or laboratory."),
    "api.called": _("An integration client called the API (operation and status)."),
}


# Codes that record someone looking, not something changing. An object's history (a
# case's timeline) leaves them out through a partial index of the events that are not
# reads (``AuditEvent.Meta``), so a case opened thousands of times reads as fast as one
# opened once. A tuple, always in this order: the index and the query must name the same list.
READ_CODES = (
    "case.listed",
    "case.viewed",
    "intake.draft_opened",
    "survivor.identity_viewed",
    "survivor.looked_up",
)


def label(code: str) -> str:
    """What the event means, in the reader's language (the code itself if unknown)."""
    meaning = EVENT_CODES.get(code)
    return str(meaning) if meaning is not None else code


def is_known(code: str) -> bool:
    return code in EVENT_CODES
