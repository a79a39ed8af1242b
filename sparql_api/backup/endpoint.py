"""``POST /admin/backup`` (admin token): the same archive as ``srkg backup``, made by the running server.

Why: ``srkg serve`` holds the embedded store's lock, so the command line cannot read the store while the
server runs. The server can: it dumps the store it already has open (one pass over a consistent snapshot)
and copies the SQLite files with SQLite's backup API, as the command does. One backup at a time; the
archive is written to a temporary folder and deleted once sent.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse

from sparql_api.backup import BackupError
from sparql_api.backup.create import create_backup
from sparql_api.server.auth import require_curator
from sparql_api.server.context import context
from sparql_api.server.errors import HTTPProblem

router = APIRouter(tags=["Operations"])
_one_at_a_time = threading.Lock()


@router.post(
    "/admin/backup",
    summary="Download a backup archive of the running server (admin token)",
    response_class=FileResponse,
    responses={200: {"content": {"application/gzip": {}}}, 409: {"description": "a backup is running already"}},
)
async def admin_backup(request: Request) -> FileResponse:
    ctx = context(request)
    require_curator(request, ctx.tokens)
    if not _one_at_a_time.acquire(blocking=False):
        raise HTTPProblem(409, "a backup is being written already; try again when it is done")
    folder = Path(tempfile.mkdtemp(prefix="srkg-backup-"))
    name = f"srkg-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar.gz"
    try:
        await run_in_threadpool(create_backup, ctx.settings, folder / name, store=ctx.store)
    except BackupError as e:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPProblem(500, f"the backup failed: {e}") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        _one_at_a_time.release()
    return FileResponse(folder / name, media_type="application/gzip", filename=name,
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))
