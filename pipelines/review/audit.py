"""The audit trail as the organizer's board shows it (操作记录)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from pipelines import auth, store
from pipelines.auth import User
from pipelines.store import (
    AuditRow,
)

ACTION_LABELS: dict[str, str] = {
    "save_review": "保存评审意见",
    "flag_confirmed": "确认问题标记",
    "flag_dismissed": "排除问题标记",
    "create_user": "创建账号",
    "set_active": "停用/启用账号",
    "reset_password": "重置密码",
    "save_settings": "修改设置",
    "login": "登录成功",
    "login_failed": "登录失败",
    "login_refused": "登录被拒绝",
    "logout": "退出登录",
    "change_password": "修改密码",
    "unlock": "解锁登录",
    "claim_wrong": "标记主张识别有误",
    "claim_withdrawn": "撤销主张标记",
}
DETAIL_LABELS: dict[str, str] = {
    "client": "客户端",
    "failures": "连续失败次数",
    "reason": "原因",
    "locked": "本次锁定",
    "user": "账号",
}
DETAIL_VALUES: dict[str, str] = {
    "account_locked": "账号已锁定",
    "client_locked": "客户端已暂停登录",
    "disabled": "账号已停用",
    "account": "账号",
    "client": "客户端",
}


def _detail(detail: dict | None) -> str:
    """An entry's details in Chinese, empty values left out."""
    parts = []
    for key, value in (detail or {}).items():
        if value in ("", None):
            continue
        shown = DETAIL_VALUES.get(value, value) if isinstance(value, str) else value
        parts.append(f"{DETAIL_LABELS.get(key, key)}={shown}")
    return "；".join(parts)


def audit_trail(
    engine: Engine, user: User, submission_id: int | None = None, limit: int = 500
) -> pd.DataFrame:
    """Newest audit entries (organizers and analysts) as a table with Chinese column names."""
    auth.require(user, auth.DASHBOARD)
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if submission_id is not None:
        query = query.where(AuditRow.submission_id == submission_id)
    with store.session_scope(engine) as session:
        rows = [
            {
                "时间": row.created_at,
                "用户": row.username,
                "操作": ACTION_LABELS.get(row.action, row.action),
                "案例编号": row.submission_id,
                "详情": _detail(row.detail),
            }
            for row in session.scalars(query)
        ]
    return pd.DataFrame(rows, columns=["时间", "用户", "操作", "案例编号", "详情"])
