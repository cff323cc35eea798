"""Background tasks of the import workflow (Django Tasks API, django-tasks-db backend).

The tasks only run the service functions; the job and its rows are the source of truth,
so a task that runs twice or late does no harm (see ``imports.services``).
"""

from __future__ import annotations

from django_tasks import task

from bakohumas.imports import services


@task()
def validate_import(job_id: int) -> str:
    """Parse and validate an uploaded file into preview rows."""
    return services.validate_job(job_id)


@task()
def run_import(job_id: int) -> str:
    """Write the valid rows of a confirmed import."""
    return services.import_job(job_id)
