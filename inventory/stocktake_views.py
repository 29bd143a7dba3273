"""Stock-taking pages: the school's stock-takes and the start form, the phone scan page
(one number at a time, without JavaScript by POST-redirect-GET; stocktake.js sends by
fetch and adds the camera), and the result with the confirmation."""

import sqlalchemy as sa
from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import SCHOOL, access, record_or_404, school_or_404
from app.errors import InvalidFieldsError, NoSchoolYearError, StaleVersionError
from app.extensions import db
from app.saving import saving
from app.templating import label
from inventory import bp
from inventory import stocktake_service as stocktake
from inventory.listing import rooms_of
from inventory.stocktake_forms import ConfirmStockTakeForm, ScanForm, StartStockTakeForm
from inventory.stocktake_models import StockTake, StockTakeScan

LAST_SCAN = "stocktake_last_scan"  # the session key of the result shown after a redirect
RECENT = 10
TONE = {
    stocktake.FOUND: "ok",
    stocktake.ALREADY_SEEN: "info",
    stocktake.ELSEWHERE: "warn",
    stocktake.UNKNOWN: "bad",
}


def _stock_take_or_404(school_number: str, stock_take_id: int):
    school = school_or_404(school_number)
    stock_take = record_or_404(
        StockTake, StockTake.id == stock_take_id, StockTake.school_id == school.id
    )
    return school, stock_take


def scope_name(stock_take: StockTake) -> str:
    if stock_take.room:
        return _("%(site)s, room %(room)s", site=stock_take.site.name, room=stock_take.room)
    return _("%(site)s (whole site)", site=stock_take.site.name)


def _where(device) -> str:
    site = device.site.name if device.site is not None else _("main site")
    if device.room:
        return _("%(site)s, room %(room)s", site=site, room=device.room)
    return _("%(site)s, no room recorded", site=site)


def scan_message(result: stocktake.ScanResult) -> str:
    number = result.number
    if result.outcome == stocktake.FOUND:
        return _("%(number)s: found (%(what)s).", number=number, what=what_device(result.device))
    if result.outcome == stocktake.ELSEWHERE:
        return _(
            "%(number)s: found, but recorded elsewhere: %(where)s.",
            number=number,
            where=_where(result.device),
        )
    if result.outcome == stocktake.ALREADY_SEEN:
        return _("%(number)s: already seen.", number=number)
    return _("%(number)s: unknown – not an inventory number of this school.", number=number)


def what_device(device) -> str:
    parts = [label("DEVICE_CATEGORIES", device.category)]
    model = " ".join(p for p in (device.manufacturer, device.model) if p)
    return ", ".join([*parts, model] if model else parts)


def _recent_scans(stock_take: StockTake) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(StockTakeScan.number)
            .where(StockTakeScan.stock_take_id == stock_take.id)
            .order_by(StockTakeScan.id.desc())
            .limit(RECENT)
        )
    )


@bp.route("/schools/<school_number>/stock-takes/", methods=["GET", "POST"])
@access(SCHOOL)
def stock_takes(school_number):
    school = school_or_404(school_number)
    form = StartStockTakeForm(school=school)
    status = 200
    if form.validate_on_submit():
        try:
            with saving():
                taken = stocktake.start(school, form.site.data, form.room.data, user=current_user)
        except InvalidFieldsError as exc:
            for name, messages in exc.fields.items():
                getattr(form, name).errors = list(messages)
        except NoSchoolYearError:
            form.form_errors.append(_("There is no current school year for a stock-take."))
        else:
            return redirect(
                url_for(
                    "inventory.stocktake_scan", school_number=school_number, stock_take_id=taken.id
                )
            )
        status = 422
    elif form.is_submitted():
        status = 422
    listed = db.session.scalars(
        sa.select(StockTake)
        .where(StockTake.school_id == school.id)
        .order_by(StockTake.started_at.desc(), StockTake.id.desc())
    ).all()
    return (
        render_template(
            "inventory/stocktakes/index.html",
            school=school,
            form=form,
            stock_takes=listed,
            rooms=rooms_of(school),
            scope_name=scope_name,
        ),
        status,
    )


def _scan_page(school, stock_take, form, last=None, status=200):
    return (
        render_template(
            "inventory/stocktakes/scan.html",
            school=school,
            stock_take=stock_take,
            form=form,
            last=last,
            count=stocktake.scan_count(stock_take),
            recent=_recent_scans(stock_take),
            scope=scope_name(stock_take),
        ),
        status,
    )


@bp.get("/schools/<school_number>/stock-takes/<int:stock_take_id>/")
@access(SCHOOL)
def stocktake_scan(school_number, stock_take_id):
    school, stock_take = _stock_take_or_404(school_number, stock_take_id)
    if not stock_take.is_open:
        return redirect(_result_url(stock_take))
    last = session.pop(LAST_SCAN, None)
    if not last or last.get("id") != stock_take.id:
        last = None
    return _scan_page(school, stock_take, ScanForm(formdata=None), last)


def _result_url(stock_take):
    return url_for(
        "inventory.stocktake_result",
        school_number=stock_take.school.school_number,
        stock_take_id=stock_take.id,
    )


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/schools/<school_number>/stock-takes/<int:stock_take_id>/scans")
@access(SCHOOL)
def stocktake_add_scan(school_number, stock_take_id):
    school, stock_take = _stock_take_or_404(school_number, stock_take_id)
    form = ScanForm()
    closed = _("This stock-take is confirmed; it takes no more numbers.")
    if not form.validate_on_submit():
        return _scan_refused(school, stock_take, form)
    try:
        with saving():
            result = stocktake.scan(stock_take, form.inventory_number.data, user=current_user)
    except InvalidFieldsError as exc:
        form.inventory_number.errors = list(exc.fields["inventory_number"])
        return _scan_refused(school, stock_take, form)
    except stocktake.StockTakeClosedError:
        if wants_json():
            return jsonify(error=closed, redirect=_result_url(stock_take)), 409
        flash(closed, "error")
        return redirect(_result_url(stock_take))
    last = {"id": stock_take.id, "tone": TONE[result.outcome], "message": scan_message(result)}
    count = stocktake.scan_count(stock_take)
    if wants_json():
        return jsonify(
            outcome=result.outcome,
            tone=last["tone"],
            message=last["message"],
            count=count,
            counted=result.counted,
            number=result.number,
        )
    session[LAST_SCAN] = last
    return redirect(
        url_for(
            "inventory.stocktake_scan", school_number=school_number, stock_take_id=stock_take.id
        )
    )


def _scan_refused(school, stock_take, form):
    if wants_json():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        return jsonify(error=" ".join(errors) or _("Please enter a number."), tone="bad"), 422
    return _scan_page(school, stock_take, form, status=422)


@bp.get("/schools/<school_number>/stock-takes/<int:stock_take_id>/result")
@access(SCHOOL)
def stocktake_result(school_number, stock_take_id):
    school, stock_take = _stock_take_or_404(school_number, stock_take_id)
    form = ConfirmStockTakeForm(formdata=None, obj=stock_take)
    return _result_page(school, stock_take, form)


def _result_page(school, stock_take, form, extra=None, status=200):
    return (
        render_template(
            "inventory/stocktakes/result.html",
            school=school,
            stock_take=stock_take,
            results=stocktake.results(stock_take) if stock_take.is_open else None,
            form=form,
            extra=extra,
            scope=scope_name(stock_take),
            where=_where,
        ),
        status,
    )


@bp.post("/schools/<school_number>/stock-takes/<int:stock_take_id>/confirm")
@access(SCHOOL)
def stocktake_confirm(school_number, stock_take_id):
    school, stock_take = _stock_take_or_404(school_number, stock_take_id)
    form = ConfirmStockTakeForm()
    if not stock_take.is_open:
        flash(_("This stock-take was confirmed already."), "error")
        return redirect(_result_url(stock_take))
    if not form.validate_on_submit():
        return _result_page(school, stock_take, form, status=422)
    try:
        with saving():
            result = stocktake.confirm(
                stock_take,
                move_found_devices=form.move_found_devices.data,
                mark_missing=form.mark_missing.data,
                user=current_user,
                version=form.version.data,
            )
    except (StaleVersionError, stocktake.StockTakeClosedError):
        db.session.expire_all()
        message = _("Someone else confirmed this stock-take in the meantime.")
        flash(message, "error")
        return redirect(_result_url(stock_take))
    figures = result.figures
    flash(
        _(
            "The stock-take is confirmed: %(found)d found, %(missing)d missing, "
            "%(moved)d found elsewhere, %(unknown)d unknown.",
            **figures,
        ),
        "success",
    )
    return redirect(_result_url(stock_take))
