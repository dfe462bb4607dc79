"""One fingerprint library from a Python program, through the mps-fpdb provider plugin (pulumi-resource-mps-fpdb)
and the Python SDK generated from its schema (pulumi_mps_fpdb, sdk/python in the repository).

Stack config of the program (namespace mps-fpdb-python):

    libraryName    name of the library to create (default "python-catalogue")
    purgeTrigger   setting or changing it empties the library with one Purge job (an in-place update)
    updateTimeout  bound on that update's wait, e.g. "10m" (default: the provider's jobTimeoutSeconds, 30 min)

The provider's own settings are the stack's mps-fpdb: config (region, endpoint, accessKey, secretKey, profile,
pollIntervalMs, ...), which the default provider reads.
"""

import pulumi
import pulumi_mps_fpdb as mps_fpdb

config = pulumi.Config()

catalogue = mps_fpdb.FingerprintLibrary(
    "catalogue",
    library_name=config.get("libraryName") or "python-catalogue",
    # Created by the stack, so destroy deletes it (the default; written out because it is what destroy does).
    deletion_policy=mps_fpdb.DeletionPolicy.DELETE,
    user_data="python example",
    # Left unset until the first purge: setting it for the first time empties the library too.
    purge_trigger=config.get("purgeTrigger"),
    opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(update=config.get("updateTimeout"))),
)

pulumi.export("fpDbId", catalogue.fp_db_id)
pulumi.export("status", catalogue.status)
pulumi.export("purgeJobId", catalogue.purge_job_id)
pulumi.export("purgeJobStatus", catalogue.purge_job_status)
