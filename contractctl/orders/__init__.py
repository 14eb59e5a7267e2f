"""Orders from signed purchase and sales contracts: one per delivery batch.

- :mod:`~contractctl.orders.orders`: ``create_order`` (lines within what the contract
  still has open), ``list_orders``, ``order_detail``, ``items``;
- :mod:`~contractctl.orders.steps`: ``advance`` (confirm, ship, deliver, accept,
  invoice, pay, close, cancel), whose deliveries and acceptance settle the contract's
  obligations.
"""
