"""English agreements in the shapes real ones take, with their labels.

Written for this evaluation only, never shown to the extractor's development: preambles
with descriptors and defined names ("X, a Delaware corporation ("Company")"), numbered
PARTIES lists in the English style, signature blocks, "dated as of", ordinal dates,
evergreen and month-to-month terms, notice periods in months, fees that are not the
contract value (hourly rates, monthly fees, caps, per-unit prices), clause numbers beside
money, and blank forms. The truth of each is written beside it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from textwrap import dedent

from contractctl.metadata import Term
from contractctl.money import Money
from tests.eval_extract.cases import Case

D = date


def usd(text: str) -> Money:
    """USD from "1,250,000.00"."""
    from contractctl.money import parse_money

    return parse_money(text, "USD")


def _doc(name: str, text: str, **truth: object) -> Case:
    case = Case(name=f"en/{name}", kind="en", text=dedent(text).strip() + "\n")
    for key, value in truth.items():
        setattr(case, key, value)
    if "auto_renewal" in truth or "notice" in truth:
        case.renewal_known = True
    return case


def _blank(name: str, text: str) -> Case:
    return Case(name=f"en-blank/{name}", kind="en-blank", text=dedent(text).strip() + "\n")


def documents() -> list[Case]:
    """The labelled English agreements."""
    return [
        _doc(
            "msa-delaware",
            """
            MASTER SERVICES AGREEMENT

            This Master Services Agreement (this "Agreement") is entered into as of March 3, 2021
            (the "Effective Date") by and between Northwind Analytics, Inc., a Delaware
            corporation ("Company"), and Harbor Point Logistics LLC, a Texas limited liability
            company ("Customer"). Company and Customer are each a "Party".

            1. SERVICES. Company shall provide the services described in each Statement of Work.

            2. FEES. Customer shall pay Company a monthly subscription fee of $18,500.00, invoiced
            in advance. Late payments bear interest at 1.5% per month.

            3. TERM AND RENEWAL.
            3.1 This Agreement commences on the Effective Date and continues for an initial term
            of three (3) years. Thereafter this Agreement shall continue automatically for
            successive one-year periods unless either Party gives written notice of non-renewal
            at least ninety (90) days prior to the end of the then-current term.

            9. GOVERNING LAW. This Agreement shall be governed by and construed in accordance with
            the laws of the State of Delaware, without regard to its conflict of laws principles.

            IN WITNESS WHEREOF, the Parties have executed this Agreement as of the Effective Date.

            NORTHWIND ANALYTICS, INC.
            By: /s/ Karen Oduya
            Name: Karen Oduya
            Title: Chief Executive Officer

            HARBOR POINT LOGISTICS LLC
            By: /s/ Tomas Reyes
            Name: Tomas Reyes
            Title: Managing Member
            """,
            parties=["Northwind Analytics, Inc.", "Harbor Point Logistics LLC"],
            signed_date=D(2021, 3, 3),
            effective_date=D(2021, 3, 3),
            expiry_date=D(2024, 3, 2),
            auto_renewal=True,
            notice=Term(90, "days"),
            governing_law="Delaware",
        ),
        _doc(
            "retail-lease",
            """
            LEASE AGREEMENT

            THIS LEASE is made this 14th day of June, 2019, between MAPLE GROVE PROPERTIES LP, a
            Georgia limited partnership ("Landlord"), and SUNRISE BAKERY CO., an Ohio corporation
            ("Tenant").

            ARTICLE 1. PREMISES. Landlord leases to Tenant Suite 104 of the building at 22 Elm
            Street, Columbus, Ohio.

            ARTICLE 2. TERM. The term of this Lease shall be five (5) years, commencing on July 1,
            2019 and ending on June 30, 2024, unless sooner terminated as provided herein.

            ARTICLE 3. RENT. Tenant shall pay base rent of $4,200.00 per month. Tenant shall pay a
            security deposit of $8,400.00 upon execution of this Lease.

            ARTICLE 18. HOLDING OVER. If Tenant remains in possession after the expiration of the
            term without a written extension, Tenant shall be a tenant at sufferance.

            ARTICLE 22. This Lease shall be governed by the laws of the State of Ohio.
            """,
            parties=["Maple Grove Properties LP", "Sunrise Bakery Co."],
            signed_date=D(2019, 6, 14),
            effective_date=D(2019, 7, 1),
            expiry_date=D(2024, 6, 30),
            renewal_known=True,  # a fixed term; renewal is not spoken of
            governing_law="Ohio",
        ),
        _doc(
            "month-to-month-rental",
            """
            RESIDENTIAL RENTAL AGREEMENT (MONTH-TO-MONTH)

            This Rental Agreement is made on August 2, 2022 by and between Patricia Holloway
            ("Owner") and Derek Nguyen ("Resident").

            1. Term. The tenancy shall begin on August 15, 2022 and shall continue on a
            month-to-month basis until terminated by either party giving the other at least
            thirty (30) days' written notice.

            2. Rent. Resident agrees to pay $1,650 per month on the first day of each month.

            3. This Agreement is governed by the laws of the State of California.

            Owner: ____________________  Date: August 2, 2022
            Resident: _________________  Date: August 2, 2022
            """,
            parties=["Patricia Holloway", "Derek Nguyen"],
            signed_date=D(2022, 8, 2),
            effective_date=D(2022, 8, 15),
            auto_renewal=True,
            notice=Term(30, "days"),
            governing_law="California",
        ),
        _doc(
            "distribution-uk",
            """
            THIS DISTRIBUTION AGREEMENT is dated 5 April 2018

            BETWEEN:

            (1) ASHCOMBE INSTRUMENTS LIMITED, a company incorporated in England and Wales with
            company number 04417728 whose registered office is at 3 Mill Lane, Reading RG1 2AB
            (the "Supplier"); and

            (2) NORDLICHT VERTRIEB GMBH, a company incorporated under the laws of Germany whose
            registered office is at Hafenstrasse 12, 20457 Hamburg (the "Distributor").

            IT IS AGREED as follows:

            14. DURATION
            14.1 This Agreement shall come into force on the date hereof and shall remain in force
            for an initial period of five (5) years. It shall thereafter be renewed automatically
            for successive periods of two (2) years unless terminated by either party giving not
            less than twelve (12) months prior written notice before the end of the then current
            period.

            21. This Agreement shall be governed by and construed in accordance with the laws of
            England and Wales.

            Signed by Margaret Hale, director, for and on behalf of ASHCOMBE INSTRUMENTS LIMITED
            Signed by Jens Albrecht, Geschaeftsfuehrer, for and on behalf of NORDLICHT VERTRIEB GMBH
            """,
            parties=["Ashcombe Instruments Limited", "Nordlicht Vertrieb GmbH"],
            signed_date=D(2018, 4, 5),
            effective_date=D(2018, 4, 5),
            expiry_date=D(2023, 4, 4),
            auto_renewal=True,
            notice=Term(12, "months"),
            governing_law="England and Wales",
        ),
        _doc(
            "software-licence",
            """
            SOFTWARE LICENSE AGREEMENT

            Dated as of September 1, 2020

            Licensor: Bluefin Software Ltd.
            Address: 40 Dock Road, Auckland, New Zealand
            Licensee: Carraway Medical Group, Inc.
            Address: 1200 Pine Avenue, Seattle, Washington

            1. License Fee. In consideration of the license granted, Licensee shall pay Licensor an
            aggregate license fee of Two Hundred Forty Thousand United States Dollars
            (US$240,000.00), payable in three equal annual installments.

            2. Term. This Agreement shall remain in effect until August 31, 2023. This Agreement
            shall not renew automatically; any renewal requires a written amendment signed by
            both parties.

            3. Governing Law. The laws of the State of Washington govern this Agreement.
            """,
            parties=["Bluefin Software Ltd.", "Carraway Medical Group, Inc."],
            signed_date=D(2020, 9, 1),
            expiry_date=D(2023, 8, 31),
            amount=usd("240000"),
            auto_renewal=False,
            governing_law="Washington",
        ),
        _doc(
            "consulting-hourly",
            """
            CONSULTING AGREEMENT

            This Consulting Agreement is made and entered into on January 10, 2022, by and between
            Riverbend Health Partners, P.C., a Colorado professional corporation ("Client"), and
            Elena Vasquez, an individual residing in Denver, Colorado ("Consultant").

            1. Compensation. Client shall pay Consultant $225.00 per hour for services rendered,
            provided that total fees under this Agreement shall not exceed $50,000 without the
            Client's prior written approval.

            2. Term. This Agreement shall terminate on December 31, 2022, unless terminated
            earlier in accordance with Section 6.

            6. Either party may terminate this Agreement upon fifteen (15) days' written notice.

            7. This Agreement is governed by the laws of the State of Colorado.
            """,
            parties=["Riverbend Health Partners, P.C.", "Elena Vasquez"],
            signed_date=D(2022, 1, 10),
            expiry_date=D(2022, 12, 31),
            governing_law="Colorado",
        ),
        _doc(
            "supply-total",
            """
            SUPPLY AGREEMENT

            This Supply Agreement (the "Agreement") is entered into as of the 17th day of
            December, 2019 by and between Granite Peak Components Corp., a Nevada corporation (the
            "Seller"), and Orion Aerospace Systems, Inc., a Delaware corporation (the "Buyer").

            Section 4.1 Purchase Price. The total purchase price for the Products is One Million
            Two Hundred Fifty Thousand Dollars ($1,250,000.00).

            Section 4.2 Expedite Fee. For each rush order Buyer shall pay a handling fee of $30.00
            per shipment.

            Section 9.3 Term. This Agreement shall be effective as of January 1, 2020 and shall
            expire on December 31, 2034.

            Section 12.7 This Agreement shall be governed by the laws of the State of New York.
            """,
            parties=["Granite Peak Components Corp.", "Orion Aerospace Systems, Inc."],
            signed_date=D(2019, 12, 17),
            effective_date=D(2020, 1, 1),
            expiry_date=D(2034, 12, 31),
            amount=usd("1250000"),
            governing_law="New York",
        ),
        _doc(
            "mutual-nda",
            """
            MUTUAL NONDISCLOSURE AGREEMENT

            This Mutual Nondisclosure Agreement is made effective as of May 19, 2021 by and
            between Quantum Leap Robotics Corp., a Nevada corporation with offices at 77 Sand Hill
            Road, Menlo Park, California, and Silverline Capital Partners, L.P., a Delaware limited
            partnership with offices at 9 West 57th Street, New York, New York.

            1. The parties wish to evaluate a possible investment transaction.

            8. Term. This Agreement shall remain in force for two (2) years from the date first
            written above. The obligations of confidentiality shall survive for three (3) years
            after any termination.

            10. This Agreement shall be governed by the laws of the State of New York.
            """,
            parties=["Quantum Leap Robotics Corp.", "Silverline Capital Partners, L.P."],
            effective_date=D(2021, 5, 19),
            expiry_date=D(2023, 5, 18),
            governing_law="New York",
        ),
        _doc(
            "employment",
            """
            EMPLOYMENT AGREEMENT

            THIS EMPLOYMENT AGREEMENT (the "Agreement") is dated as of February 1, 2021, between
            Cobalt Ridge Mining Company, a Utah corporation (the "Company"), and Andrew P. Whitfield
            (the "Executive").

            2. Compensation. The Company shall pay the Executive a base salary of $145,000
            per annum, payable in accordance with the Company's payroll practices.

            3. Term. The Executive's employment shall commence on February 15, 2021 and shall
            continue until terminated in accordance with Section 5.

            9. This Agreement shall be governed by the laws of the State of Utah.
            """,
            parties=["Cobalt Ridge Mining Company", "Andrew P. Whitfield"],
            signed_date=D(2021, 2, 1),
            effective_date=D(2021, 2, 15),
            governing_law="Utah",
        ),
        _doc(
            "franchise-addendum",
            """
            ADDENDUM TO FRANCHISE AGREEMENT

            This Addendum is entered into on October 4, 2016 by Burger Barn Franchising, LLC, a
            Florida limited liability company ("Franchisor"), and Lakeview Eats, Inc., a Michigan
            corporation ("Franchisee").

            WHEREAS, the parties hereto entered into a Franchise Agreement dated March 1, 2012 (the
            "Franchise Agreement"); and WHEREAS, the parties hereto desire to amend the Franchise
            Agreement as set forth below.

            NOW, THEREFORE, the parties hereto agree that Section 5.2 of the Franchise Agreement is
            amended to reduce the royalty fee to four percent (4%) of Gross Sales.

            Except as modified by this Addendum, the Franchise Agreement remains in full force.
            """,
            parties=["Burger Barn Franchising, LLC", "Lakeview Eats, Inc."],
            signed_date=D(2016, 10, 4),
        ),
        _doc(
            "joint-filing",
            """
            EXHIBIT 99.1

            JOINT FILING AGREEMENT

            In accordance with Rule 13d-1(k)(1) under the Securities Exchange Act of 1934, as
            amended, the undersigned hereby acknowledge and agree to the joint filing on behalf of
            each of them of a statement on Schedule 13G with respect to the common stock of Tern
            Biologics, Inc., and that this agreement be included as an exhibit to such filing.

            Dated: February 14, 2020

            OAKMONT CAPITAL MANAGEMENT, L.P.
            By: /s/ Ruth Calder
            Name: Ruth Calder
            Title: Chief Compliance Officer

            OAKMONT PARTNERS FUND I, L.P.
            By: Oakmont Capital Management, L.P., its general partner
            By: /s/ Ruth Calder
            Name: Ruth Calder
            Title: Chief Compliance Officer
            """,
            parties=["Oakmont Capital Management, L.P.", "Oakmont Partners Fund I, L.P."],
            signed_date=D(2020, 2, 14),
        ),
        _doc(
            "services-annual",
            """
            PROFESSIONAL SERVICES AGREEMENT

            This Professional Services Agreement is entered into as of July 1, 2017 (the "Effective
            Date") between Tidewater Facilities Group, Inc., a Virginia corporation ("Provider"),
            and the Board of Trustees of Pinecrest Academy, a Virginia nonstock corporation
            ("Client").

            5. Term. The initial term of this Agreement is one (1) year from the Effective Date.
            This Agreement shall continue automatically for successive annual periods unless
            either party delivers sixty (60) days' written notice of non-renewal prior to the end
            of the then-current period.

            6. Fees. Client shall pay Provider an annual fee of $96,000, payable monthly.

            12. Governing Law. This Agreement shall be governed by the laws of the Commonwealth of
            Virginia.
            """,
            parties=["Tidewater Facilities Group, Inc.", "Board of Trustees of Pinecrest Academy"],
            signed_date=D(2017, 7, 1),
            effective_date=D(2017, 7, 1),
            expiry_date=D(2018, 6, 30),
            auto_renewal=True,
            notice=Term(60, "days"),
            governing_law="Virginia",
        ),
        _doc(
            "loan",
            """
            TERM LOAN AGREEMENT

            This Term Loan Agreement, dated as of November 30, 2020, is made by and between FIRST
            PRAIRIE BANK, N.A., a national banking association (the "Lender"), and HOLLOWAY FARMS
            COOPERATIVE, an Iowa cooperative association (the "Borrower").

            2.1 The Loan. Subject to the terms hereof, the Lender agrees to make a term loan to the
            Borrower in the principal amount of Two Million Five Hundred Thousand Dollars
            ($2,500,000).

            2.4 Maturity. The outstanding principal balance shall be due and payable on
            November 30, 2027.

            9.1 This Agreement shall be governed by the laws of the State of Iowa.
            """,
            parties=["First Prairie Bank, N.A.", "Holloway Farms Cooperative"],
            signed_date=D(2020, 11, 30),
            expiry_date=D(2027, 11, 30),
            amount=usd("2500000"),
            governing_law="Iowa",
        ),
        _doc(
            "equipment-purchase",
            """
            EQUIPMENT PURCHASE AGREEMENT

            Seller: Redline Machine Tools, Inc.
            Buyer: Cascade Fabrication LLC
            Agreement Date: 03/22/2023

            1. Equipment. One (1) five-axis CNC machining center, model RX-500.
            2. Total Purchase Price: $87,450.00, of which a deposit of $8,745.00 is due on signing.
            3. Delivery within sixty (60) days after the Agreement Date.
            4. Warranty: twelve (12) months from delivery.

            SELLER                          BUYER
            Redline Machine Tools, Inc.     Cascade Fabrication LLC
            By: ____________________        By: ____________________
            Date: __________________        Date: __________________
            """,
            parties=["Redline Machine Tools, Inc.", "Cascade Fabrication LLC"],
            signed_date=D(2023, 3, 22),
            amount=usd("87450"),
        ),
        _doc(
            "marketing-ny",
            """
            MARKETING SERVICES AGREEMENT

            This Marketing Services Agreement is made as of January 15, 2020 by and between
            Blue Heron Media Group LLC, a New York limited liability company (the "Agency"), and
            Pemberton Cosmetics, Inc. (the "Client").

            4. Term. This Agreement shall have an initial term of one (1) year commencing on
            February 1, 2020. This Agreement shall automatically renew for additional one (1) year
            terms unless either party provides written notice of its intent not to renew at least
            thirty (30) days prior to the expiration of the then-current term.

            5. Compensation. Client shall pay the Agency a retainer of $12,000 per month.

            11. This Agreement shall be governed by the laws of the State of New York.
            """,
            parties=["Blue Heron Media Group LLC", "Pemberton Cosmetics, Inc."],
            signed_date=D(2020, 1, 15),
            effective_date=D(2020, 2, 1),
            expiry_date=D(2021, 1, 31),
            auto_renewal=True,
            notice=Term(30, "days"),
            governing_law="New York",
        ),
        _doc(
            "reseller-months",
            """
            RESELLER AGREEMENT

            Parties
            Vendor: Lumen Grid Technologies Pte. Ltd.
            Reseller: Meridian IT Solutions Sdn. Bhd.

            Effective Date: 1 March 2021
            Initial Term: 24 months from the Effective Date.
            Renewal: This Agreement will renew automatically for successive 12-month periods
            unless either party gives the other at least three (3) months' written notice of
            non-renewal before the end of the then-current term.
            Governing Law: the laws of Singapore.
            """,
            parties=["Lumen Grid Technologies Pte. Ltd.", "Meridian IT Solutions Sdn. Bhd."],
            effective_date=D(2021, 3, 1),
            expiry_date=D(2023, 2, 28),
            auto_renewal=True,
            notice=Term(3, "months"),
            governing_law="Singapore",
        ),
        _doc(
            "settlement",
            """
            SETTLEMENT AGREEMENT AND MUTUAL RELEASE

            This Settlement Agreement and Mutual Release ("Settlement Agreement") is entered into
            this 9th day of August, 2021, by and between Coastal Freight Brokers, Inc., a Florida
            corporation ("Coastal"), and Jonathan Mercer ("Mercer").

            1. Settlement Payment. Coastal shall pay Mercer the total sum of Seventy-Five Thousand
            Dollars ($75,000.00) within ten (10) business days of the Effective Date.

            2. Release. Each party releases the other from all claims arising out of Case No.
            2020-CV-01187.

            9. This Settlement Agreement shall be governed by the laws of the State of Florida.
            """,
            parties=["Coastal Freight Brokers, Inc.", "Jonathan Mercer"],
            signed_date=D(2021, 8, 9),
            amount=usd("75000"),
            governing_law="Florida",
        ),
        _doc(
            "saas-uk-parties",
            """
            THIS AGREEMENT is dated 12 January 2023

            PARTIES

            (1) BRIGHTWATER UTILITIES LIMITED incorporated and registered in England and Wales with
            company number 01987345 whose registered office is at 8 Quay Street, Bristol BS1 4DJ
            (Customer).

            (2) KESTREL CLOUD SYSTEMS LTD incorporated and registered in England and Wales with
            company number 10443921 whose registered office is at 2 Station Road, Cambridge CB1 2JH
            (Supplier).

            AGREED TERMS

            14. TERM
            14.1 This agreement shall commence on 1 February 2023 and shall continue for the
            Initial Subscription Term of thirty-six (36) months. Thereafter it shall be
            automatically renewed for successive periods of 12 months unless either party notifies
            the other party of termination, in writing, at least 60 days before the end of the
            Initial Subscription Term or any Renewal Period.

            15. Subscription Fees. The Customer shall pay the Subscription Fees of GBP 4,750 per
            quarter.

            25. This agreement shall be governed by the law of England and Wales.
            """,
            parties=["Brightwater Utilities Limited", "Kestrel Cloud Systems Ltd"],
            signed_date=D(2023, 1, 12),
            effective_date=D(2023, 2, 1),
            expiry_date=D(2026, 1, 31),
            auto_renewal=True,
            notice=Term(60, "days"),
            governing_law="England and Wales",
        ),
        _doc(
            "construction-fixed",
            """
            CONSTRUCTION AGREEMENT

            THIS CONSTRUCTION AGREEMENT (this "Agreement") is made and entered into effective as
            of April 1, 2024 (the "Effective Date"), by and between Summit Ridge Development
            Partners, LLC, an Arizona limited liability company ("Owner"), and Desert Bloom
            Builders, Inc., an Arizona corporation ("Contractor").

            3. Contract Sum. Owner shall pay Contractor for the performance of the Work the fixed
            Contract Sum of $3,480,000.00, subject to additions and deductions by Change Order.
            Retainage of ten percent (10%) shall be withheld from each progress payment.

            4. Time. Substantial Completion shall be achieved no later than March 31, 2025.
            Liquidated damages of $1,500 per day apply for each day of delay.

            5. Term. This Agreement expires upon final payment and does not renew.

            18. This Agreement shall be governed by the laws of the State of Arizona.
            """,
            parties=["Summit Ridge Development Partners, LLC", "Desert Bloom Builders, Inc."],
            effective_date=D(2024, 4, 1),
            amount=usd("3480000"),
            auto_renewal=False,
            governing_law="Arizona",
        ),
        _doc(
            "signed-vs-effective",
            """
            DATA PROCESSING SERVICES AGREEMENT

            Between Helix Payroll Services Inc. ("Processor") and Marlowe & Finch LLP
            ("Controller").

            This Agreement is signed on 10 January 2023 and takes effect on 1 February 2023.
            It shall remain in force until 31 January 2025 and shall then expire without renewal.

            Fees: the Controller shall pay a total fee of USD 64,800 for the term.

            Governing law: the laws of the State of Illinois.

            Signed for Helix Payroll Services Inc.: ______________
            Signed for Marlowe & Finch LLP: ______________
            """,
            parties=["Helix Payroll Services Inc.", "Marlowe & Finch LLP"],
            signed_date=D(2023, 1, 10),
            effective_date=D(2023, 2, 1),
            expiry_date=D(2025, 1, 31),
            amount=usd("64800"),
            auto_renewal=False,
            governing_law="Illinois",
        ),
        _doc(
            "evergreen-supply",
            """
            MATERIALS SUPPLY AGREEMENT

            This Agreement is made on 2 October 2015 between Vantage Polymers Inc., an Ontario
            corporation (hereinafter referred to as the "Supplier"), and Brookfield Packaging Ltd.
            (hereinafter referred to as the "Purchaser").

            10. Duration. This Agreement shall commence on the date hereof and shall continue in
            force indefinitely until terminated by either party on not less than six (6) months'
            prior written notice to the other party.

            11. Prices are set out in Schedule A and may be adjusted annually.

            15. This Agreement shall be governed by the laws of the Province of Ontario.
            """,
            parties=["Vantage Polymers Inc.", "Brookfield Packaging Ltd."],
            signed_date=D(2015, 10, 2),
            effective_date=D(2015, 10, 2),
            auto_renewal=True,
            notice=Term(6, "months"),
            governing_law="Ontario",
        ),
    ]


_COVER: Path = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "corpus"
    / ("en-commonpaper/Mutual-NDA-coverpage.md")
)


def blanks() -> list[Case]:
    """Forms with nothing filled in: no parties, no amount."""
    out = [
        _blank(
            "services-form",
            """
            SERVICES AGREEMENT

            This Services Agreement is made on ____________________, 20___ between
            ______________________________ ("Client") and ______________________________
            ("Provider").

            1. Fees. Client shall pay Provider $______________ per ______________.
            2. Term. This Agreement begins on ______________ and ends on ______________.
            3. Governing law: ______________________.

            CLIENT                                  PROVIDER
            Name: __________________________        Name: __________________________
            Title: _________________________        Title: _________________________
            Date: __________________________        Date: __________________________
            """,
        ),
        _blank(
            "lease-form",
            """
            RESIDENTIAL LEASE

            Landlord: ______________________________
            Tenant: ________________________________
            Premises: ______________________________
            Monthly Rent: $__________   Security Deposit: $__________
            Lease Start Date: ___/___/______   Lease End Date: ___/___/______
            Landlord Signature: ____________________   Date: ____________
            Tenant Signature: ______________________   Date: ____________
            """,
        ),
    ]
    if _COVER.is_file():
        text = _COVER.read_text(encoding="utf-8")
        out.append(Case(name="en-blank/commonpaper-cover", kind="en-blank", text=text))
        out.append(_cover_filled(text))
    return out


def _cover_filled(text: str) -> Case:
    """The Common Paper cover page as two companies would fill it."""
    text = text.replace("[Today’s date]", "June 6, 2024")
    text = text.replace("Governing Law: [Fill in state]", "Governing Law: Delaware")
    text = re.sub(
        r"\| Company \| \| \|", "| Company | Alder Creek Robotics, Inc. | Fenwick Labs LLC |", text
    )
    text = re.sub(r"\| Date \| \| \|", "| Date | June 6, 2024 | June 6, 2024 |", text)
    return Case(
        name="en/commonpaper-cover-filled",
        kind="en",
        text=text,
        parties=["Alder Creek Robotics, Inc.", "Fenwick Labs LLC"],
        signed_date=D(2024, 6, 6),
        effective_date=D(2024, 6, 6),
        expiry_date=D(2025, 6, 5),
        governing_law="Delaware",
    )


def cases() -> list[Case]:
    """Every English case, labelled and blank."""
    return documents() + blanks()
