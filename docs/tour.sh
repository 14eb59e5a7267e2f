export CONTRACTCTL_HOME=~/contracts           # or --home DIR on any command
contractctl init                               # create the store (safe to re-run; upgrades old schemas)
contractctl doctor                             # external tools, versions, Tesseract languages, store health

# Your company, as every contract prints it (draft refuses while these are empty)
contractctl config set company.name 示例科技有限公司
contractctl config set company.uscc 91310115MA1K4A2B3A     # checked down to its check character
contractctl config set company.address "上海市浦东新区世纪大道 100 号"
contractctl config set company.legal_rep 李明
contractctl config get company.uscc

# Who approves: people and roles in people.toml (rules check fails until it is filled).
# Each person's login = "..." is their OS login: contractctl acts as that person. --as ID
# acts for someone else only with a delegation from them, or for an admin (here: you).
echo "admins = [\"$(id -un)\"]" >> $CONTRACTCTL_HOME/people.toml
cat >> $CONTRACTCTL_HOME/people.toml <<'EOF'
[[people]]
id = "zhao.lei"
name = "赵磊"
department = "procurement"
roles = []

[[people]]
id = "wang.fang"
name = "王芳"
department = "legal"
roles = ["legal"]

[[people]]
id = "sun.li"
name = "孙丽"
department = "finance"
roles = ["finance"]

[[people]]
id = "li.ming"
name = "李明"
department = "management"
roles = ["ceo"]

[departments]
procurement = { head = "zhao.lei" }
default = { head = "zhao.lei" }
EOF
contractctl rules check                        # validate rules/approval.toml, risk.toml, people.toml
contractctl rules test                         # run rules/tests/*.toml; exit 1 on a failing case

contractctl party add "上海星河电子科技有限公司" --uscc 91350100M000100Y43 \
    --address "上海市浦东新区张江路 88 号" --legal-rep 王建国 --risk medium
contractctl party list --risk medium
contractctl party edit P-0001 --phone 021-5080-1234

contractctl template list                      # shipped: purchase/sales/service/lease/nda (zh), purchase/service/nda (en)
contractctl template show purchase-zh          # identity, status, signatories, standard clauses
contractctl template fields purchase-zh        # typed fields, limits, labels (--json: enough to generate data)
contractctl template preview purchase-zh --out preview   # sample rendered to DOCX, PDF, PNG of page 1

# The data of one contract (template fields shows every field; the counterparty is --party)
cat > purchase.toml <<'EOF'
contract_no = "CG-2026-0001"
sign_date = 2026-11-22
sign_place = "上海市浦东新区"
items = [
  { name = "工业平板电脑", spec = "IPC-15A，15英寸", unit = "台", quantity = 20, unit_price = "8650.00" },
  { name = "无线条码扫描枪", spec = "SC-200W", unit = "把", quantity = 50, unit_price = "420.00" },
]
tax_rate = 13
invoice_type = "增值税专用发票"
prepay_percent = 30
payment_days = 30
deposit_required = false
delivery_date = 2026-12-20
delivery_address = "上海市浦东新区张江路1388号3号楼仓库"
acceptance_days = 7
warranty_months = 24
dispute_resolution = "arbitration"
arbitration_commission = "上海仲裁委员会"
EOF
contractctl draft purchase-zh --data purchase.toml --party P-0001 --key crm-4711 --department procurement
contractctl draft purchase-zh --data purchase.toml --party P-0001 --key crm-4711 --department procurement   # same key, same data: C-2026-0001 again
contractctl draft purchase-zh --data purchase.toml --party P-0001 --key crm-4711 --set payment_days=45   # exit 3: the key made C-2026-0001 from other data (revise it)

contractctl list --status draft
contractctl list --party 91350100M000100Y43 --min-amount ¥100,000 --json
contractctl show C-2026-0001                   # versions, route, signatures, obligations, events
contractctl party show P-0001                  # details, contracts, totals by direction and currency
contractctl search 违约责任                     # Chinese of any length, English words, best match first
contractctl search '"逾期交货" 付款 -租赁' --type purchase --json

contractctl rules explain C-2026-0001          # which routes match, each condition and its value
contractctl submit C-2026-0001                 # risk checks + routing -> approval tasks, in_review
contractctl route C-2026-0001                  # stages, approvers, state, due, overdue
contractctl approve C-2026-0001 --as wang.fang -m "ok"    # exit 3: the department head decides first
contractctl approve C-2026-0001 --as zhao.lei -m "ok"
contractctl revoke C-2026-0001 --as zhao.lei -m "数量未核对"   # take it back before the next stage decides
contractctl approve C-2026-0001 --as zhao.lei -m "数量已核对"
contractctl return C-2026-0001 --as wang.fang -m "付款条件改为 45 天"   # back to the drafter
contractctl revise C-2026-0001 --set payment_days=45 -m "按法务意见改为 45 天"   # new draft version 2
contractctl submit C-2026-0001                 # a fresh route; the history is kept
contractctl approve C-2026-0001 --as zhao.lei
contractctl approve C-2026-0001 --as wang.fang -m "同意"    # the last stage: approved

contractctl draft purchase-zh --data purchase.toml --party P-0001 --set contract_no=CG-2026-0002
contractctl submit C-2026-0002
contractctl reject C-2026-0002 --as zhao.lei -m "预算不足"   # final
contractctl draft purchase-zh --data purchase.toml --party P-0001 --set contract_no=CG-2026-0003
contractctl withdraw C-2026-0003 -m "重复起草"   # a draft, in review or returned; final

export CONTRACTCTL_KEY_PASSPHRASE=tour-passphrase   # or type it at the prompt; never an option
contractctl keys init --org 示例科技有限公司 --person 王芳   # a local TEST CA + identities (PKCS#12)
contractctl keys init --person 王建国 --person-org 上海星河电子科技有限公司 --name xinghe   # TEST only
contractctl keys list                          # subject, issuer, validity, usage, fingerprint, TEST or real
contractctl keys trust list
contractctl sign C-2026-0001 --key org         # PAdES B-B, red seal; certifies, leaves their seal field
# contractctl sign C-2026-0001 --key org --tsa http://tsa.example/   # B-T: a timestamp (needs the TSA)
contractctl sign C-2026-0001 --key xinghe --party counterparty   # here a TEST key stands in for them
# contractctl sign-import C-2026-0001 signed-by-them.pdf --trust their-ca.pem   # they signed in their own tool
contractctl verify C-2026-0001                 # exit 1 unless every signature holds
contractctl accept C-2026-0001 --by "李雷"      # click-through acceptance evidence (not a signature)
contractctl activate C-2026-0001               # signed -> active (it took effect)

contractctl amend C-2026-0001 --set "items[1].unit_price=8950.00" -m "设备单价上调"   # new draft version 3
contractctl list --status draft                # in force v2, beside it the pending amendment v3
contractctl diff C-2026-0001                   # redline of the latest version against its parent
contractctl diff C-2026-0001 --from 1 --to 2 --format html -o redline.html   # what the revision changed
contractctl submit C-2026-0001                 # +3.1%, above ¥100,000: department head, then legal
contractctl approve C-2026-0001 --as zhao.lei
contractctl approve C-2026-0001 --as wang.fang
contractctl sign C-2026-0001 --key org
contractctl sign C-2026-0001 --key xinghe --party counterparty   # signed by both: v3 in force, active
contractctl renew C-2026-0001 --until 2028-12-31 -m "续约一年"
contractctl terminate C-2026-0001 --reason "双方协商一致解除" --date today   # open obligations after it cancelled

contractctl template preview nda-zh --out our-nda           # start a template from a shipped one
sed 's/^name = "nda-zh"/name = "our-nda"/' $CONTRACTCTL_HOME/templates/nda-zh.toml > our-nda.toml
contractctl template add $CONTRACTCTL_HOME/templates/nda-zh.docx --schema our-nda.toml   # linted; pending until legal approves
contractctl template approve our-nda@1 --as wang.fang

# contractctl draft-batch sales-zh --csv orders.csv    # one contract per CSV row, with progress

contractctl archive C-2026-0001 --bundle C-2026-0001.zip   # dossier with a SHA-256 manifest
contractctl verify-bundle C-2026-0001.zip                  # offline; exit 1 names what changed
contractctl export --format xlsx -o contracts.xlsx --status archived
contractctl report --by month --period 2026 --format html -o r.html   # one self-contained page, chart inline
contractctl report --by counterparty --top 10 --json   # per currency, purchases and sales apart
contractctl report --view expiring                     # also: pipeline (by age), cycle (approval times)

contractctl expire                             # every running contract whose end date passed (cron)
contractctl audit C-2026-0001                  # the audit events of one contract or party
contractctl audit verify                       # recompute the hash chain; exit 1 names the first bad event
contractctl remind --within 30d                # expiries, renewal notices, payments, late approvals (cron)
contractctl fsck                               # every stored file against its SHA-256, the database, the chain
mkdir -p backups
contractctl backup backups/$(date +%F)         # consistent copy while others work; never overwrites
contractctl --home restored restore backups/$(date +%F)   # into a new folder, then checked
