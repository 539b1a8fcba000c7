"""Counselling: the restricted psychosocial section of a case.

Sessions (psychological first aid at intake, individual, with a guardian, group, and play
and drawing for children), screening measures (PHQ-9, GAD-7, PCL-5) with a progress chart,
the risk and safety assessment, the safety plan and its discreet PDF, the counselling plan
and its closure.

Who sees what (``crisiscell.access.policy``): notes, scores, risk answers and safety plans
are the cell's psychologists' alone, every decryption audited. The case worker and the cell
head see only that counselling is ongoing, the next appointment and the flags the
psychologist shares; the board shows a risk flag, never why. The cell head and the legal
adviser may break glass (a court order, or a danger that cannot wait) with a written
reason; the read is audited and every psychologist of the cell is told. Services
(``services.py``) say who may call each write and why psychological first aid needs no
counselling consent in its first 72 hours.
"""
