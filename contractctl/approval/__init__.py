"""Approval: who must say yes to a contract, in which order, and what they must see.

- :mod:`~contractctl.records.people`: people.toml (roles, department heads, delegation);
- rules/approval.toml as an ordered decision table, in five modules:
  :mod:`~contractctl.approval.route_table` (facts, conditions, stages, routes,
  ``RuleSet.decide``), :mod:`~contractctl.approval.route_rules` (``load_rules``: the TOML
  read and validated), :mod:`~contractctl.approval.route_checks` (every route reachable
  under the hit policy), :mod:`~contractctl.approval.business_days` (the business-day
  calendar and due times) and :mod:`~contractctl.approval.route_explain` (``explain``);
- :mod:`~contractctl.approval.rule_tests`: ``rules test``, table-driven cases;
- :mod:`~contractctl.approval.risk_rules` and :mod:`~contractctl.approval.risk`: the risk
  flags a reviewer must see (rules/risk.toml);
- :mod:`~contractctl.approval.decide`: submit, approve, reject, return, the route state.

Who may approve is :mod:`contractctl.records.people` (people.toml). Built on
:mod:`contractctl.records` and :mod:`contractctl.drafting` (a returned
contract is re-drafted).
"""
