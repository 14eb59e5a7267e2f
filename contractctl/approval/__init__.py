"""Approval: who must say yes to a contract, in which order, and what they must see.

- :mod:`~contractctl.records.people`: people.toml (roles, department heads, delegation);
- :mod:`~contractctl.approval.routing`: rules/approval.toml as an ordered decision
  table (``load_rules``, ``RuleSet.decide``, ``explain``);
- :mod:`~contractctl.approval.rule_tests`: ``rules test``, table-driven cases;
- :mod:`~contractctl.approval.risk_rules` and :mod:`~contractctl.approval.risk`: the risk
  flags a reviewer must see (rules/risk.toml);
- :mod:`~contractctl.approval.decide`: submit, approve, reject, return, the route state.

Who may approve is :mod:`contractctl.records.people` (people.toml). Built on
:mod:`contractctl.records` and :mod:`contractctl.drafting` (a returned
contract is re-drafted).
"""
