"""Schemathesis hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

`before_call`: the runs as a moderator and as an admin share one session each, made by
the script before the runs. Nothing a run generates may end that session, or every later
request of the run would be answered 401 and the run would test nothing but the refusal.
"""

import os

import schemathesis

# The account the run is logged in as (empty for the anonymous run).
OWN_ACCOUNT_ID = os.environ.get("ST_OWN_ACCOUNT_ID", "")
# An account id no account has: what the hooks send instead of the run's own.
NO_SUCH_ACCOUNT_ID = 999_999


@schemathesis.hook
def before_call(context, case, kwargs):
    """Resetting an account's password ends that account's sessions, the run's own too:
    the run's own id is swapped for one no account has (404). Disabling one's own account
    stays in, because the server refuses it (409) without ending anything."""
    if not OWN_ACCOUNT_ID or case.operation.path != "/api/admin/users/{id}/reset-password":
        return
    if str(case.path_parameters.get("id", "")).strip() == OWN_ACCOUNT_ID:
        case.path_parameters["id"] = NO_SUCH_ACCOUNT_ID

