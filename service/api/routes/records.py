"""The routes candidates and vacancies share, built once per kind (same shapes, same codes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, File, Response, UploadFile
from fastapi.responses import FileResponse

from matcher.records import Candidate, Vacancy
from service import records, tabular_io
from service.api.deps import GatewayDep, SessionDep, SettingsDep
from service.api.schemas import IMPORT_PROBLEMS, BatchIn, BatchOut
from service.auth import Principal, Role, require_roles

PLURAL = {"candidate": "candidates", "vacancy": "vacancies"}


def add_record_routes(
    router: APIRouter,
    kind: str,
    model: type[Candidate] | type[Vacancy],
    *,
    readers: tuple[Role, ...],
    writers: tuple[Role, ...],
) -> None:
    """Template, batch, import, PUT, GET and DELETE for one kind, with its roles declared.

    Bodies are validated by ``matcher.records`` (so ``id`` may be left out of a PUT body and
    must match the path when given); the OpenAPI document still shows the record's schema.
    """
    can_read = Depends(require_roles(*readers))
    can_write = Depends(require_roles(*writers))
    body_schema = {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    }

    @router.get(
        "/template.xlsx",
        summary=f"Excel template for {PLURAL[kind]} (Indonesian headers)",
        response_class=FileResponse,
        responses={200: {"content": {tabular_io.XLSX: {}}}},
    )
    def template(settings: SettingsDep, _p: Principal = can_write) -> FileResponse:
        path = tabular_io.template_path(settings.data_dir, kind)
        return FileResponse(path, media_type=tabular_io.XLSX, filename=path.name)

    @router.post("/batch", response_model=BatchOut, summary=f"Upsert up to 1000 {PLURAL[kind]}")
    def batch(
        body: BatchIn,
        gateway: GatewayDep,
        session: SessionDep,
        settings: SettingsDep,
        p: Principal = can_write,
    ) -> dict[str, Any]:
        result = records.put_batch(gateway, session, p, kind, body.items, settings.max_batch)
        return {"upserted": result.upserted, "errors": result.errors}

    @router.post(
        "/import",
        summary=f"Import {PLURAL[kind]} from a CSV or XLSX file",
        responses=IMPORT_PROBLEMS,
    )
    def import_file(
        gateway: GatewayDep,
        session: SessionDep,
        settings: SettingsDep,
        file: UploadFile = File(...),
        p: Principal = can_write,
    ) -> dict[str, Any]:
        data = file.file.read(settings.max_upload_bytes + 1)
        return tabular_io.import_upload(
            gateway, session, p, kind, data, file.filename or "", settings
        )

    @router.put(
        "/{record_id}",
        summary=f"Create or update one {kind}",
        response_model=model,
        response_model_exclude_none=True,
        openapi_extra=body_schema,
        responses={200: {"description": "updated"}, 201: {"description": "created"}},
    )
    def put(
        record_id: str,
        response: Response,
        gateway: GatewayDep,
        session: SessionDep,
        body: Any = Body(...),
        p: Principal = can_write,
    ) -> dict[str, Any]:
        created, data = records.put_record(gateway, session, p, kind, record_id, body)
        response.status_code = 201 if created else 200
        return data

    @router.get(
        "/{record_id}",
        summary=f"Read one {kind}",
        response_model=model,
        response_model_exclude_none=True,
    )
    def get(record_id: str, session: SessionDep, p: Principal = can_read) -> dict[str, Any]:
        return records.get_record(session, p, kind, record_id)

    @router.delete("/{record_id}", status_code=204, summary=f"Delete one {kind}")
    def delete(
        record_id: str, gateway: GatewayDep, session: SessionDep, p: Principal = can_write
    ) -> Response:
        records.delete_record(gateway, session, p, kind, record_id)
        return Response(status_code=204)
