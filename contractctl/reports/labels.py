"""The words of a report in its two languages: Chinese (zh) and English (en)."""

from __future__ import annotations

TYPES = {
    "zh": {
        "purchase": "采购",
        "sales": "销售",
        "service": "服务",
        "lease": "租赁",
        "nda": "保密",
        "other": "其他",
    },
    "en": {
        "purchase": "purchase",
        "sales": "sales",
        "service": "service",
        "lease": "lease",
        "nda": "NDA",
        "other": "other",
    },
}

STATUSES = {
    "zh": {
        "draft": "草稿",
        "in_review": "审批中",
        "returned": "退回",
        "rejected": "否决",
        "approved": "已批准",
        "signing": "签署中",
        "signed": "已签署",
        "active": "履行中",
        "expired": "已到期",
        "terminated": "已终止",
        "archived": "已归档",
        "completed": "履行完毕",
    },
    "en": {},
}

DIRECTIONS = {
    "zh": {"pay": "支出（采购类）", "receive": "收入（销售类）", "none": "无收付"},
    "en": {"pay": "we pay (purchases)", "receive": "we are paid (sales)", "none": "no payment"},
}

WORDS = {
    "zh": {
        "title.month": "按月签约金额",
        "title.type": "按合同类型统计",
        "title.counterparty": "按相对方统计",
        "title.department": "按部门统计",
        "title.status": "按状态统计",
        "title.pipeline": "在途合同（审批中、待签署、签署中）按停留时长",
        "title.expiring": "即将到期的合同（30/60/90 天内）",
        "title.cycle": "审批周期（提交至批准）",
        "group": "分组",
        "count": "份数",
        "no_amount": "无金额",
        "total": "合计",
        "others": "其他",
        "none": "（未填）",
        "no_party": "（无相对方）",
        "period": "期间",
        "all_time": "全部",
        "filters": "筛选条件",
        "no_filters": "无",
        "made_at": "生成时间",
        "basis": "统计口径",
        "median": "中位数",
        "p90": "90 分位",
        "overall": "全部流程",
        "stage": "阶段",
        "approver": "审批人",
        "value": "金额",
        "contracts": "合同",
        "days": "天",
        "hours": "小时",
        "id": "编号",
        "title": "名称",
        "status": "状态",
        "since": "起始",
        "age": "停留天数",
        "ends": "到期日",
        "left": "剩余天数",
        "amount": "金额",
        "notes": "说明",
        "report": "合同统计报表",
        "nothing": "没有符合条件的合同。",
        "basis.signed": "已生效的合同（已签署、履行中、已到期、已终止、已归档），期间按签订日期",
        "basis.given": "所选状态的合同，期间按签订日期",
        "basis.status": "全部合同，期间按创建日期",
        "basis.pipeline": "当前处于{statuses}的合同，"
        "按进入该状态（审计事件，无则按最后修改）至今的天数",
        "basis.expiring": "{today} 起 90 天内到期的在履行合同（已签署、履行中），按剩余天数",
        "basis.cycle": "以批准结束的审批流程，期间按批准日期；"
        "阶段自上一阶段结束起算，审批人自其阶段开始起算",
    },
    "en": {
        "title.month": "Signed value by month",
        "title.type": "By contract type",
        "title.counterparty": "By counterparty",
        "title.department": "By department",
        "title.status": "By status",
        "title.pipeline": "Pipeline (in review, approved, signing) by age",
        "title.expiring": "Expiring in the next 30/60/90 days",
        "title.cycle": "Approval cycle times (submit to approved)",
        "group": "group",
        "count": "contracts",
        "no_amount": "no amount",
        "total": "total",
        "others": "others",
        "none": "(none)",
        "no_party": "(no counterparty)",
        "period": "Period",
        "all_time": "all time",
        "filters": "Filters",
        "no_filters": "none",
        "made_at": "Made at",
        "basis": "Counts",
        "median": "median",
        "p90": "p90",
        "overall": "whole route",
        "stage": "stage",
        "approver": "approver",
        "value": "value",
        "contracts": "contracts",
        "days": "d",
        "hours": "h",
        "id": "id",
        "title": "title",
        "status": "status",
        "since": "since",
        "age": "days",
        "ends": "ends",
        "left": "days left",
        "amount": "amount",
        "notes": "Notes",
        "report": "Contract report",
        "nothing": "No contracts match.",
        "basis.signed": "contracts that bind the parties (signed, active, expired, terminated, "
        "archived), the period on the signing date",
        "basis.given": "contracts of the given statuses, the period on the signing date",
        "basis.status": "every contract, the period on the day it was created",
        "basis.pipeline": "contracts now {statuses}, by days since the audit event that put them "
        "there (their last change when there is none)",
        "basis.expiring": "contracts in force (signed, active) ending within 90 days of {today}, "
        "by days left",
        "basis.cycle": "approval routes that ended approved, the period on the day of approval; "
        "stages from the end of the one before, approvers from the start of their stage",
    },
}


def word(lang: str, key: str) -> str:
    """A fixed word of the report in ``lang``."""
    return WORDS[lang].get(key, WORDS["en"][key])


def type_label(lang: str, value: str) -> str:
    """A contract type as the report's readers call it."""
    return TYPES[lang].get(value, value)


def status_label(lang: str, value: str) -> str:
    """A status as the report's readers call it."""
    return STATUSES[lang].get(value, value)


def direction_label(lang: str, value: str) -> str:
    """pay / receive / none in words."""
    return DIRECTIONS[lang][value]
