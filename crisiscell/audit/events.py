"""Every audit event code, with what it means. ``README.md`` in this package lists them.

A code is ``<domain>.<what happened>``. ``audit_record`` refuses a code that is not
here, so the list stays complete.
"""

from __future__ import annotations

EVENT_CODES: dict[str, str] = {
    # Authentication and sessions.
    "auth.login": "A staff member logged in with password and second factor.",
    "auth.login_failed": "A password step failed (unknown user or wrong password).",
    "auth.otp_failed": "A second-factor code was wrong.",
    "auth.locked_out": "A username and address pair was locked out after repeated failures.",
    "auth.logout": "A staff member logged out; every session of the user ended.",
    "auth.session_expired": "A session ended by idle timeout or absolute lifetime.",
    "auth.otp_enrolled": "A staff member enrolled a new TOTP second factor.",
    "auth.invitation_accepted": "An invitation was used to set a password and second factor.",
    "auth.password_reset_requested": "A password reset e-mail was requested.",
    "auth.password_reset_completed": "A password was reset with an e-mailed link.",
    # Staff administration.
    "admin.staff_listed": "A cell's staff list was viewed.",
    "admin.staff_invited": "A cell head invited a new staff member.",
    "admin.staff_reinvited": "A cell head reset a staff member's password and second factor.",
    "admin.role_changed": "A membership's role was changed.",
    "admin.membership_deactivated": "A membership was deactivated; the user's sessions ended.",
    "admin.user_deactivated": "A staff account was deactivated; every session ended.",
    # The identity vault.
    "survivor.created": "A survivor's identity was stored in the vault.",
    "survivor.linked": "A new case was linked to a returning survivor.",
    "survivor.identity_viewed": "A survivor's identity was decrypted and shown.",
    "survivor.identity_changed": "A survivor's identity was changed (field names only).",
    "survivor.looked_up": "A returning survivor was searched for by CNIC or phone.",
    "survivor.guardian_added": "A guardian of a child survivor was recorded.",
    "vault.keys_rotated": "A batch of vault records was re-wrapped under a new master key.",
    # Cases and intake.
    "case.registered": "A case was registered at intake.",
    "case.viewed": "A case page was opened.",
    "case.listed": "A list of cases was shown.",
    "case.updated": "A case's recorded facts changed (field names only).",
    "case.closed": "A case was closed, with the reason.",
    "case.child_protection_flagged": "A child protection concern was raised and a task created.",
    "consent.recorded": "A consent decision was added to the ledger.",
    "consent.revoked": "A consent was withdrawn.",
    "consent.refused_by_rules": "A consent was refused because the person may not give it.",
    "intake.draft_saved": "An unfinished intake was saved (encrypted).",
    "intake.draft_opened": "An unfinished intake was opened.",
    "intake.draft_discarded": "An unfinished intake was discarded or registered.",
    # The audit log itself.
    "audit.log_viewed": "The audit log was browsed or filtered.",
    "audit.proof_issued": "An inclusion proof for an audit event was produced.",
    "audit.verified": "The audit log was verified from the command line.",
}


def is_known(code: str) -> bool:
    return code in EVENT_CODES
