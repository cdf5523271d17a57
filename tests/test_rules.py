"""The rules on wording the samples do not use: negation, nil results, pending, conditionals,
whose evidence it is, third-party requests, misconceptions and dates."""
import datetime as dt

import pytest

from reviewer.timeline import find_dates


@pytest.fixture(scope="module")
def reviewer_instance():
    """The rules alone: these tests are about how the rules read wording, not about the
    calibration layer over them (tests/test_calibration.py)."""
    from reviewer import Reviewer

    return Reviewer(calibrate=False)


def review_text(reviewer_instance, tmp_path, text, name="case.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return reviewer_instance.review(p)


def status(report, item):
    return next(r.status for r in report.checklist if r.item == item)


def assert_date(reviewer_instance, tmp_path, text, field, expected):
    """Review TEXT and check the timeline's FIELD, showing the whole timeline when it differs."""
    r = review_text(reviewer_instance, tmp_path, text)
    assert r.timeline.get(field) == expected, r.timeline


def requests(report, *fields):
    """The third-party requests of REPORT as (category, FIELDS...) tuples."""
    return [(t["category"], *(t[f] for f in fields)) for t in report.tpm_requests]


def assert_item(reviewer_instance, tmp_path, text, item, expected):
    """Review TEXT and check ITEM's status, showing the cited reasons when it differs."""
    r = review_text(reviewer_instance, tmp_path, text)
    assert status(r, item) == expected, [(row.item, row.status, [c.why for c in row.evidence]) for row in r.checklist if row.item == item]


HEADER = "MG3 PRE-CHARGE REPORT\nSuspect: Gareth PLUMMER\nComplainant: Nadia OKONJO\n"


@pytest.mark.parametrize("text,item,expected", [
    # negation
    ("Footage from the railway station cameras was never requested by the investigation team.", "independent_corroboration", "missing"),
    ("No research on the suspect has been done on local or national intelligence systems.", "suspect_intelligence", "missing"),
    ("The male has not yet been spoken to under caution.", "suspect_interview", "outstanding"),
    # nil results count as met
    ("Antecedents: PNC shows nothing recorded - no trace.", "suspect_antecedents", "met"),
    ("Enquiries at the venue for CCTV were completed; the system had been overwritten.", "independent_corroboration", "met"),
    ("MG6D: nil return endorsed by the disclosure officer.", "mg6d_schedule", "met"),
    # pending
    ("Toxicology on the blood sample is still awaited from the lab.", "forensic_medical", "outstanding"),
    ("Intel checks with neighbouring forces are pending.", "suspect_intelligence", "outstanding"),
    # conditional
    ("Should the suspect be located he will be arrested and interviewed.", "suspect_interview", "missing"),
    # a reason for not pursuing closes the line
    ("No forensic medical examination took place because the complainant reported nine weeks later, outside the forensic window.", "forensic_medical", "met"),
    # declined by the complainant
    ("The complainant was offered an ISVA but declined the referral.", "isva_referral", "met"),
    # label and value
    ("Suspect's handset: not seized.", "suspect_devices", "missing"),
    ("Suspect status: bailed until 14/08/2024 with conditions not to contact the complainant.", "suspect_status", "met"),
    ("DMD - to be drafted by the OIC.", "disclosure_management_document", "outstanding"),
    # freedom and capacity to choose put in interview count as exploring consent
    ("In interview he was asked whether a fifteen-year-old in his care would have felt free to say no to him.", "consent_steps_explored", "met"),
    ("The suspect was asked whether she could have agreed given how much she had drunk.", "consent_steps_explored", "met"),
    ("Questions on the steps he took to check she was consenting were not put to him.", "consent_steps_explored", "missing"),
    ("Her friend said she would make sure he got home safely.", "consent_steps_explored", "missing"),
    # a reason for not asking does not close the question of consent
    ("He was not questioned about how he knew she was agreeing because he said it was her idea.", "consent_steps_explored", "missing"),
    # "not asked what/how/whether ..." negates what follows; a possessive party does not stop a negation looking back
    ("Not asked how he could tell she was consenting.", "consent_steps_explored", "missing"),
    ("Steps taken to check consent / the complainant's capacity to choose - not put in interview.", "consent_steps_explored", "missing"),
    # the suspect's claims tested in other words
    ("His claim that they were in a relationship was tested against the school's records.", "suspect_account_tested", "met"),
    ("His account that she sat in the front of the cab is contradicted by the rank CCTV.", "suspect_account_tested", "met"),
    # terse done / to-do lists record the lines of enquiry
    ("Enqs done: CCTV, H2H, PNC. Still to do: phone download.", "rloe_recorded", "met"),
    # a list of the lines of enquiry still to be written is no record of them
    ("RLOE - to be done after CPS advice.", "rloe_recorded", "missing"),
    # a summary in place of the list: everything is done "apart from" something
    ("CCTV - viewed.\nPNC - nil.\nPND - nil.\nH2H - done.\nSARC - done.\nBWV - downloaded.\nABE - done.\nIP phone - not seized.\n"
     "All other enquiries have now been completed apart from the lab results.", "rloe_recorded", "missing"),
    ("Investigation to date: CCTV viewed, H2H done, phone download awaited.", "rloe_recorded", "met"),
    # "no intelligence ... has been carried out" negates the work; "no trace (checked ...)" is a result
    ("No intelligence enquiries have been undertaken on the suspect.", "suspect_intelligence", "missing"),
    ("PND: no trace (searched 11/11/2024).", "suspect_intelligence", "met"),
    # conduct described in the officer's or the suspect's own words
    ("His Snapchat to her the next afternoon read \"pls dont tell ur mum, we good?\" (screenshot).", "post_offence_conduct", "met"),
    ("The suspect asked whether she lived alone and then deviated from the route, the GPS log shows.", "pre_offence_conduct", "met"),
    ("He brought a bottle of rum and kept pressing her to drink it.", "pre_offence_conduct", "met"),
    # work given to an officer, or a label with only a target date, is still to be done
    ("OIC to complete the MG2 with her after the ABE.", "special_measures", "outstanding"),
    ("DMD: by 30/06/2025.", "disclosure_management_document", "outstanding"),
    # an acknowledgement of receipt or a CSE desk is no corroboration
    ("The phone company acknowledged receipt of the request on 28th April.", "independent_corroboration", "missing"),
    # a short follow-up sentence gives the status of the line before it
    ("Swabs from the SARC examination went to the lab on 04/05. Result o/s.", "forensic_medical", "outstanding"),
    ("Medical at the SARC 02/03, samples taken. Results not back yet.", "forensic_medical", "outstanding"),
    ("Swabs from the SARC examination were analysed. Outstanding", "forensic_medical", "met"),
    # pending work that is on no checklist item still needs a date; "booked" or "sent" is not pending
    ("Statement from the bus driver to follow.", "outstanding_timetabled", "missing"),
    ("MG11 from the door supervisor awaited, due by 14/06/2025.", "outstanding_timetabled", "met"),
    ("She took a cab booked at 01:10 and sent her sister a text.", "outstanding_timetabled", "not_applicable"),
    # rules that read more than one line
    # list items take the status their heading gives them
    ("Still to do:\n• CCTV from the taxi rank on Mill Road.\n• Statement from the door supervisor.", "independent_corroboration", "outstanding"),
    ("Enqs not done\n• House to house on Larch Close.\nSummary\nSee above.", "independent_corroboration", "missing"),
    ("Done:\n• CCTV from the taxi rank on Mill Road viewed and copied.", "independent_corroboration", "met"),
    # the statement of whoever she first told, found by name or relation elsewhere in the file
    ("Nadia rang her flatmate Priti DESAI within the hour.\nEnquiries\nPriti DESAI - MG11 to follow.", "first_complaint", "outstanding"),
    ("She texted her cousin straight after he left.\nWitnesses\nStatement from the cousin obtained 03/04/2025.", "first_complaint", "met"),
    # every piece of pending work needs its date, not only the checklist's outstanding items
    ("Toxicology on the blood sample awaited, due 12/05/2025.\nStatement from the bus driver to follow.", "outstanding_timetabled", "missing"),
    ("Toxicology on the blood sample awaited, due 12/05/2025.\nStatement from the bus driver to follow by 20/05/2025.", "outstanding_timetabled", "met"),
    # a date after the submission, given as a target, times the pending work; a past date does not
    ("Date of submission: 02/06/2025\nStatement from the bus driver to follow - booked for 12/06/2025.", "outstanding_timetabled", "met"),
    ("Date of submission: 02/06/2025\nStatement from the bus driver to follow (16/06).", "outstanding_timetabled", "met"),
    ("Date of submission: 02/06/2025\nStatement from the bus driver to follow; he was first contacted on 20/05/2025.", "outstanding_timetabled", "missing"),
    # the messages will come from his phone, whose download is awaited
    ("The suspect's phone was seized on arrest; the DFU download is still awaited.\nSummary\nNothing else to add.", "suspect_communications", "outstanding"),
    # a delay heading with its causes set out below it
    ("Date reported: 03/02/2025\nDate of submission: 20/06/2025\nDelay\nThe file comes 137 days after the report.\nThe handset sat in the DFU queue from 10/02/2025 until it came back on 02/06/2025.", "delay_explained", "met"),
    ("Date reported: 03/02/2025\nDate of submission: 20/06/2025\nSummary\nThe suspect denies the offence.", "delay_explained", "missing"),
    # a file that apologises for its own delay owes the reason, even when its dates cannot be read
    ("Summary\nSorry this has sat with me for so long, Sarge.\nThe suspect denies the offence.", "delay_explained", "missing"),
    ("Summary\nApologies for the delay in submitting this, which was due to the DFU backlog.", "delay_explained", "met"),
    ("Summary\nThe suspect denies the offence and the file is sent for early advice.", "delay_explained", "not_applicable"),
    # a heading that names whose it is gives the subject of the lines under it
    ("Action 1 - suspect's devices - COMPLETE\n• Laptop and Samsung phone seized 19/06/2025 under a DPN, downloaded and reviewed.", "suspect_devices", "met"),
    # a terse line's opening or closing status reaches everything it names, as far as its clause goes
    ("Enquiries\n- O/S: door staff stmts; taxi firm booking log; 999 recording", "first_complaint", "outstanding"),
    ("Enquiries\n- Doorbell camera footage from the houses opposite Bryn-y-Mor Terr not obtained", "independent_corroboration", "missing"),
    ("Enquiries\n- Railway station cameras (platform 2, covers the footbridge) - asked for 03/05, awaited", "independent_corroboration", "outstanding"),
    ("Enquiries\n- Pub CCTV viewed and seized; bus operator reply awaited", "independent_corroboration", "met"),
    # "requested" inside a request phrase still marks what is requested
    ("Enquiries\n12/03 999 recording requested from the control room.", "first_complaint", "outstanding"),
    # "PC" is a police constable, not a computer
    ("PC 2291 HALE attended and took a first account on BWV.\nThe suspect's phone was not seized.", "suspect_devices", "missing"),
    # "SU1" is the suspect in Niche-style notes
    ("Enquiries\n- 02/10 SU1 deleted the Snapchat conversation with IP and blocked her.", "post_offence_conduct", "met"),
    # "not returned until" dates a return that happened
    ("The DFU download of SU1's handset was not returned until 19/01/26 because of the backlog.", "suspect_devices", "met"),
    # material that may help the suspect, in the officer's words
    ("Points that might help Kyle\n- She sent him a message the next day saying she had a good night.", "undermining_material", "met"),
    ("Her text to her sister the morning after could help the defence; it is on the unused schedule.", "undermining_material", "met"),
    ("The GP note may support her account of bruising to her wrists.", "undermining_material", "missing"),
    # the suspect's conduct before, in messages and in how he made the chance
    ("The suspect messaged her that afternoon telling her to come alone and that there was no need to tell her friends.", "pre_offence_conduct", "met"),
    ("The suspect kept a spare key to her room and let himself in that night.", "pre_offence_conduct", "met"),
    # a place called "Lock" is no locked door
    ("House-to-house at Lock Cottages and Mill Lock completed 08/03/2025, nothing of note.", "pre_offence_conduct", "missing"),
    # other potential complainants are not the complainant: approaching them is no request for her records
    ("Other potential complainants will be traced through the social worker at the club's safeguarding team.", "tpm_reasons_stated", "not_applicable"),
    # "I can't see any enquiry that would need her phone" is no request for it
    ("The thread is on his download, so I can't see any enquiry that would need her handset.", "complainant_device_lawful", "not_applicable"),
    # "scheduled on the MG6D" is listed, not planned
    ("The GP reply was received on 16/12/24 and is scheduled on the MG6D.", "mg6d_schedule", "met"),
    # a pending schedule is answered only by the schedule itself, not by naming it
    ("MG6C / MG6D / DMD\nThe DMD is in draft and will follow.", "disclosure_management_document", "outstanding"),
    # "we did not go into" negates the questions it names
    ("In interview we did not go into whether he checked she was consenting.", "consent_steps_explored", "missing"),
    # a complainant's phone examined only for the thread with the suspect names the line it serves
    ("Complainant's handset: DPNa served and signed; extraction limited to the Instagram chat with the suspect, 01-03/05/2025.", "tpm_reasons_stated", "met"),
    # a line closed with a reason under its heading is met
    ("Forensic\nNo forensic or medical opportunities remain given the passage of time (the abuse ended in 2009).", "forensic_medical", "met"),
    ("Forensic\nNone - nothing was taken.", "forensic_medical", "missing"),
    # a title in capitals or a table key says nothing of what it names
    ("DIGITAL STRATEGY AND OUTSTANDING ENQUIRIES\nThe strategy covers the suspect's phone, 10-14/03/2025, messages and location data.", "digital_strategy", "met"),
    ("Key: D = done, O/S = outstanding, NP = not pursued\nThe suspect's phone was downloaded on 12/03/2025.", "outstanding_timetabled", "not_applicable"),
    # waiting at the steps is what he did, not work still to come
    ("CCTV shows the suspect waiting at the foot of the steps for twenty minutes before she arrived.", "independent_corroboration", "met"),
    # naming the records system is no intelligence research; searching it is
    ("Typed up from my PNB and Niche for the CPS.\nIntel - not checked yet.", "suspect_intelligence", "missing"),
    ("PNC / PND / local intelligence - complete: PNC no trace, PND nil, no other complainants.", "suspect_intelligence", "met"),
    # the Victims' Code is met only when no entitlement is said to be undone or still to come
    ("Victims' Code: needs assessment 02/03 (enhanced), weekly updates by phone.", "victims_code", "met"),
    ("Victims' Code: needs assessment 02/03 (enhanced).\nVPS not yet offered - OIC to offer it at the next update.", "victims_code", "outstanding"),
    ("Victims' Code: needs assessment 02/03 (enhanced).\nShe has not been offered the chance to make a VPS.", "victims_code", "missing"),
    # an MG2 is not closed by a reason for not doing it
    ("No MG2 has been completed as we do not yet know whether the case will proceed.", "special_measures", "missing"),
    # a required document is not closed by a reason for not writing it
    ("No digital strategy has been set as the only digital evidence is a single WhatsApp message.", "digital_strategy", "missing"),
    # getting a taxi home is narrative; the taxi firm's records are an enquiry
    ("She left at about 2am and got a taxi home.", "independent_corroboration", "missing"),
    ("Taxi firm booking log obtained: pick-up 02:07 outside the club.", "independent_corroboration", "met"),
    # schedules attached in draft are served; a phone that was with the DFU until a date came back
    ("The MG6C and MG6D are attached in draft.", "mg6c_schedule", "met"),
    ("The suspect's phone was with DFU from 16.03.24 until the extraction report of 24.07.24, which is attached.", "suspect_devices", "met"),
    # a forensic line closed because nothing is possible any more
    ("Forensic / medical examination: none possible, offending ended 2006.", "forensic_medical", "met"),
    ("Enquiries\nCCTV from the Vibe bar and Weaver Street has not been looked at yet.", "independent_corroboration", "missing"),
    ("Date reported: 03/02/2025\nDate of submission: 20/06/2025\nThe interval between report and submission is attributable to the DFU queue.", "delay_explained", "met"),
    # no ABE because the complainant did not want one: considered and closed
    ("No ABE - IP did not want to be filmed; she gave a written statement on 12/07.", "abe_interview", "met"),
    # "Further matters" heads other business, not pending work
    ("Further matters\nDisclosure: MG6C and MG6D are appended.", "mg6c_schedule", "met"),
    # in an interview record the questions are what was put to him
    ("\fMG15 RECORD OF INTERVIEW\nDC PRICE: What did you do to check that she was consenting?", "consent_steps_explored", "met"),
    ("\fMG15 RECORD OF INTERVIEW\n13:32 DC AHMED What did you do, if anything, to check she was agreeing?", "consent_steps_explored", "met"),
    # an MG2 part done is not done; an e-mail asking for footage is a request, not footage
    ("MG2 part completed - s.28 still to be explained to her.", "special_measures", "outstanding"),
    ("03/07 - emailed the bar manager re CCTV for the night of 28/06.", "independent_corroboration", "outstanding"),
    # "SUBJ" is the suspect
    ("SUBJ gave IP vodka and kept topping up her glass.", "pre_offence_conduct", "met"),
    # a suspect's phone left unseized because he came in voluntarily is not seized
    ("His phone was not seized as he attended voluntarily.", "suspect_devices", "missing"),
    ("His phone was not seized as he attended voluntarily.", "suspect_communications", "missing"),
    # a plan for when he is arrested is conditional on an arrest that has not happened
    ("Digital plan for the suspect (when arrested): seize all phones on him.", "suspect_devices", "missing"),
    # an apology for delay on a file whose dates show no delay over 90 days owes nothing
    ("Date reported: 03/02/2025\nDate of submission: 20/03/2025\nSorry for the delay, I have been on leave.", "delay_explained", "not_applicable"),
    # "no issue identified that her records would go to" asks for nothing
    ("No issue identified in this case that IP's medical, counselling or school records would go to.", "counselling_threshold", "not_applicable"),
    ("• IP PHONE NOT TAKEN - NO CONTACT BETWEEN THE PARTIES (CALL DATA CONFIRMS)", "complainant_device_lawful", "not_applicable"),
    # non-recent offending closes the forensic line
    ("Forensic - not pursued, non-recent (15 yrs), no forensic opportunities.", "forensic_medical", "met"),
    # waiting for a DFU slot is pending; her needs were assessed is done
    ("03/11 SUSP phone seized - to DFU when slot avail.", "suspect_devices", "outstanding"),
    ("Her needs were assessed on 30/05/2024 and she receives the enhanced service; VPS taken 02/06/2024.", "victims_code", "met"),
    # a drug screen is no special measure; screens at court are
    ("Blood and urine submitted for a full drug screen.\nMG2 not done yet.", "special_measures", "missing"),
    ("MG2 completed 12/05: she wants screens at court and a s.28 recording.", "special_measures", "met"),
    # consent questions in the passive voice; "not asked at this interview about ... or about" negates the lot
    ("When he was asked what had been done by him to make sure that she was agreeing, it was replied that she kissed him back.", "consent_steps_explored", "met"),
    ("Not asked at this interview about the messages or about anything he did to make sure she was agreeing.", "consent_steps_explored", "missing"),
    # a further interview to come does not undo the one held
    ("Interviewed under caution on 13/02/2025 and denied the offence.\nFurther interview to follow once the download is back.", "suspect_interview", "met"),
    # the lines of enquiry are recorded when they are listed with where each stands ...
    ("Reasonable lines of enquiry: the following were identified at the outset and are set out below with their result.\n"
     "The bar's CCTV was viewed on 02/03/2025 and shows them leaving together.\nHis handset was seized and sent to the DFU; the download is awaited.",
     "rloe_recorded", "met"),
    ("Where we are\n1) Door staff - spoken to, statement obtained\n2) Uber trip data - requested 04/03, awaited\n3) Her 999 call - audio downloaded", "rloe_recorded", "met"),
    ("Lines of enquiry not pursued: house-to-house beyond the immediate street, as the flat is on an isolated rural lane.\n"
     "- CCTV (corner shop): viewed, nothing of value\n- PNC / PND: NTR\n- Taxi firm records: requested, not back", "rloe_recorded", "met"),
    # ... not when a list is only announced, or when every line is still to do
    ("The enquiries carried out so far are set out below, followed by the outstanding actions and their target dates.\n"
     "The suspect is a 34-year-old warehouse operative with no previous convictions.", "rloe_recorded", "missing"),
    ("To do\n- CCTV from the bus - to request\n- H2H on Larch Close - to be arranged\n- Phone download - awaited", "rloe_recorded", "missing"),
    # pending work dated as over ("in the DFU queue until 21/02/2025") has been done
    ("His handset was in the DFU queue until 21/02/2025 and the download has been reviewed.", "suspect_devices", "met"),
    ("His handset is in the DFU queue, no date given.", "suspect_devices", "outstanding"),
    # police shorthand
    ("Intel chks on susp done 13/06 - nil.", "suspect_intelligence", "met"),
    # conduct before the offence seen on camera, and the shorthand heading for it
    ("The tram CCTV has been viewed: the suspect is seen watching her from the doors and moving seats to sit opposite her.", "pre_offence_conduct", "met"),
    ("Pre-off: S kept her glass topped up all night (till receipts obtained).", "pre_offence_conduct", "met"),
    ("Jo PARRY (first told, the next morning) | s/t 02/06/25", "first_complaint", "met"),
    # forms with boxes: a choice left unticked, a field with no box ticked, a field left blank
    ("Suspect's status: [ ] Bailed to return [X] Released under investigation", "suspect_status", "met"),
    ("Suspect's status: [ ] Bailed to return [ ] Released under investigation [ ] Remanded", "suspect_status", "missing"),
    ("Reported on 02/01/2025; this file was submitted on 20/06/2025.\nExplanation for the time taken ____________", "delay_explained", "missing"),
    ("Video interview of complainant [ ] Done [X] Not yet - she wants to wait until after her exams", "abe_interview", "outstanding"),
    ("Toxicology [ ] Not yet - the sample is still at the SARC awaiting the DI's authority for the cost", "forensic_medical", "outstanding"),
    # material that may help the defence: 'may' is part of the idea, and a label's value is no denial of it
    ("Her friend's text saying she was 'fine' at 1am could be used by the defence; it is listed on the MG6C.", "undermining_material", "met"),
    ("Points that may help the defence: she has no memory of leaving the club.", "undermining_material", "met"),
    ("Nothing recorded about material that might assist the defence.", "undermining_material", "missing"),
    # a status field's label is no status; shorthand for one is
    ("Suspect status: TBC", "suspect_status", "missing"),
    ("Status of suspect\nSusp RUI'd 02/06/25 pending DFU.", "suspect_status", "met"),
    # work still to be arranged
    ("ABE booked 03/06 - IP cancelled, rebooked for 17/06/2025.", "abe_interview", "outstanding"),
    ("DS to get the MG2 done with her next week.", "special_measures", "outstanding"),
    # schedules that will be updated exist; a list titled 'outstanding' is no record still to come
    ("MG6C and MG6D attached; both will be updated as the download and the bank records come in.", "mg6c_schedule", "met"),
    ("Lines of enquiry - outstanding\n- Bank records for the bar tab - requested 02/06\n- Bus CCTV - viewed, nothing of note\n"
     "- PNC / PND - no trace\n- H2H - completed 30/05", "rloe_recorded", "met"),
    # a date after a status word in a table is a target; a schedule's row is no pending work
    ("Date of submission: 10/07/2025\nToxicology | Outstanding 28/07/2025\nDFU download | Outstanding 04/08/2025", "outstanding_timetabled", "met"),
    ("Date of submission: 10/07/2025\nToxicology | Outstanding 28/07/2025\n\fMG6C - NON-SENSITIVE UNUSED MATERIAL\n"
     "1 | Bank records request and acknowledgement - response awaited | OIC", "outstanding_timetabled", "met"),
    # research is about the suspect when he is named in its clause, wherever; a DVD is no DVDS check
    ("Local intel + PND: 2019 report by a neighbour (now Witness C) about PLUMMER exposing himself - no further action.", "suspect_intelligence", "met"),
    ("ABE index done, DVD ref AB/3.", "suspect_intelligence", "missing"),
    # an enquiry to check what the suspect says
    ("Enquiries will be made with the taxi firm to confirm when he got home that night.", "suspect_account_tested", "outstanding"),
    # negations typed without the apostrophe
    ("Havent asked the bar for their CCTV and didnt do house to house.", "independent_corroboration", "missing"),
    # a condition governs its whole sentence
    ("If he is found and agrees to attend at the station he will be asked to come in for a voluntary interview under caution.", "suspect_interview", "missing"),
    # the issue in the case, stated, is no question put to the suspect
    ("The issue will be whether she was capable of consenting and whether he reasonably believed she agreed.", "consent_steps_explored", "missing"),
    # a status in brackets is that of the list item it follows
    ("Lines pursued: bar CCTV, Uber records, app provider data (o/s), SARC examination, ABE.", "forensic_medical", "met"),
    ("Lines pursued: bar CCTV, Uber records, SARC examination and toxicology (awaited), ABE.", "forensic_medical", "outstanding"),
    # a terse note's subjectless denial is the suspect's account; a party named after it is what
    # he denies, not who denies it
    ("Interview summary (DC 41):\nDenied grabbing her wrist or locking the door.", "suspect_account", "met"),
    ("Int - full denial, nothing further.", "suspect_account", "met"),
    ("Outcome of interview: says consensual throughout.", "suspect_account", "met"),
    # the Digital Forensic Unit examines phones; it is no forensic submission
    ("Her handset went to the Digital Forensic Unit on 02/03/2025 for a selective extraction.", "forensic_medical", "missing"),
    # no forensic opportunity is a line closed with its reason
    ("Medical/forensic - no forensic opportunity, reported five weeks after the last incident.", "forensic_medical", "met"),
    # a date after the submission, in a list of what is outstanding, is that item's target
    ("Date of report: 01/02/2025. Date submitted to CPS: 10/03/2025.\nOutstanding: Uber trip data 28/03/2025; "
     "neighbour's statement 21/03/2025.", "outstanding_timetabled", "met"),
    # a label takes the status of its value after a dash as after a colon
    ("Ring doorbell - no doorbell enqs made yet.", "independent_corroboration", "missing"),
    ("House to house = n/d.", "independent_corroboration", "missing"),
    # 'nothing recorded' after checks is their nil result, after anything else a denial
    ("Local and force intel checks - nothing recorded.", "suspect_intelligence", "met"),
    # a video interview she did not want, with her written statement taken instead, is declined, not awaited
    ("Nadia didn't want to do a video interview - she wanted it written down, so an MG11 was taken 05/03.", "abe_interview", "met"),
    # a download of his phone named beside her account is no request for her phone
    ("The call data, his phone download and Nadia's phone bill all show no contact between them before 9 March.",
     "complainant_device_lawful", "not_applicable"),
    # counselling named as part of the GP records asked for is no counselling request of its own
    ("Letter to Dr Okafor, Brook Lane Surgery, 04/03/2025: please provide Nadia's GP records for March 2025, "
     "in particular any counselling referral made after 2 March, as they bear on her account of that week.",
     "counselling_threshold", "not_applicable"),
    # a form's question about the phone asks; it requests nothing
    ("Q7. Complainant's mobile phone?\nA. Not needed - the chat is on his handset.", "complainant_device_lawful", "not_applicable"),
    # what would have happened had something else been so did not happen
    ("Had PLUMMER been arrested, his phone would have been seized.", "suspect_devices", "missing"),
    # a question not yet put, with a further interview planned to put it, is outstanding
    ("PLUMMER was interviewed on 03/03/2025 and denied it. He was never asked how he knew Nadia was agreeing.\n"
     "Follow-up interview with his solicitor booked for 14/05/2025.", "consent_steps_explored", "outstanding"),
    ("PLUMMER was interviewed on 03/03/2025 and denied it. He was never asked how he knew Nadia was agreeing.",
     "consent_steps_explored", "missing"),
    # a record of the lines of enquiry pointed at, not given, is not recorded
    ("Enquiries:\n- CCTV Bridge St - viewed, nil.\n- PNC - no trace.\n- Taxi firm - records requested, awaited.\n"
     "Everything else is on the system.", "rloe_recorded", "missing"),
    ("Enquiries:\n- CCTV Bridge St - viewed, nil.\n- PNC - no trace.\n- Taxi firm - records requested, awaited.",
     "rloe_recorded", "met"),
    # a heading over a section that says the phone was not sought is no request for it
    ("7. THIRD PARTY MATERIAL AND THE COMPLAINANT'S PHONE\nNadia's phone has not been requested: the chat is on his handset."
     "\nNo medical or counselling records are sought.", "complainant_device_lawful", "not_applicable"),
    # what will be done if he is charged is done only on that condition
    ("The MG2 will be completed with Nadia if a charge is authorised.", "special_measures", "missing"),
    # an IDVA is a domestic abuse adviser, not an ISVA
    ("Victim care: Nadia is supported by her IDVA from the local DA service.", "isva_referral", "missing"),
    # how he came to interview is no custody, bail or RUI status
    ("PLUMMER came in as a voluntary attender on 03/03/2025 and was interviewed with his solicitor present.", "suspect_status", "missing"),
    # what he sent or asked for is his conduct, not a request still awaiting a reply
    ("At 09:14 the next day PLUMMER sent Nadia a Snapchat message saying sorry.", "post_offence_conduct", "met"),
    # S1 is police shorthand for the first suspect: a witness he named, and one who does not back him
    ("Statement obtained from Kyle RUDD (named by S1 in interview as his lift home).", "suspect_account_tested", "met"),
    ("Both door staff seen. Their accounts do not support him on how drunk she was.", "suspect_account_tested", "met"),
    ("S1 handed his Samsung over at the front desk; the DFU download is back and has been reviewed.", "suspect_devices", "met"),
    # a plan is work still to come
    ("The plan is to invite PLUMMER in for a voluntary interview when the records come back.", "suspect_interview", "outstanding"),
    ("Our intention is to obtain the Ring footage from next door this week.", "independent_corroboration", "outstanding"),
    # evidence put to him in interview challenges his account; it does not test it by enquiry
    ("The CCTV stills and the door log were put to him in interview.", "suspect_account_tested", "missing"),
    # a delay explained by how long each thing took
    ("Reported 03/01/2025; submitted 28/06/2025.\nTimescales: the phone download took eleven weeks and the OIC was abstracted "
     "to a murder enquiry for a month.", "delay_explained", "met"),
    # his account tested: a finding set against it, or against what S1 says
    ("The Oyster data puts him at Bank station at 23:40, which is against his account that he went straight home.",
     "suspect_account_tested", "met"),
    ("S2 says he never went upstairs - contradicted by the landing camera and by Jess ODUYA.", "suspect_account_tested", "met"),
    ("Barrier logs obtained and reviewed. They contradict S1 on when he left the depot.", "suspect_account_tested", "met"),
    # the first complaint: the person the complainant told, and a statement from that person
    ("Statement taken from Daniel FOXLEY 12/04/2025 - the IP told him on the Monday at work that PLUMMER had forced himself on her.",
     "first_complaint", "met"),
    ("Nadia told her support worker the next morning. The support worker's MG11 is still to be taken.", "first_complaint", "outstanding"),
    # his account named and set against other evidence; witnesses he put forward, seen
    ("PLUMMER's version that Nadia invited him in is contradicted by the neighbour and the door camera.",
     "suspect_account_tested", "met"),
    ("Kerry WYATT (named by GP in interview as his lift that night) - seen 04/03, says she did not drive him.",
     "suspect_account_tested", "met"),
    ("| 9 | Flatmate Sam COLE (nominated by suspect) | Statement taken - does not support suspect |",
     "suspect_account_tested", "met"),
    # no communications to get between strangers: a line closed with its reason
    ("Messages/calls between the parties - none exist. Complete strangers before that night.", "suspect_communications", "met"),
    ("Phone contact between them: nil - a stranger offence, so nothing to apply for.", "suspect_communications", "met"),
    ("The suspect was a stranger to her. No messages have been obtained.", "suspect_communications", "missing"),
    # a taxi "booked from her phone" is what the record shows, not an appointment still to come
    ("Streamline Taxis booking record: booked from Nadia's phone at 02:10, collected 02:19, dropped 02:40.",
     "independent_corroboration", "met"),
])

def test_wording_rules(reviewer_instance, tmp_path, text, item, expected):
    assert_item(reviewer_instance, tmp_path, HEADER + text + "\n", item, expected)


@pytest.mark.parametrize("answer", ["No comment.", '"She was up for it, she never said no."'])
def test_a_question_put_in_interview_and_answered_was_asked(reviewer_instance, tmp_path, answer):
    """A question in an interview record answered "No comment", or in the suspect's own words
    with a "never" in them, was still put to him: the answer's "no" is not the question's."""
    text = ("MG15 RECORD OF INTERVIEW\nSuspect: Gareth PLUMMER\nComplainant: Nadia OKONJO\n"
            "Interviewed under caution 03/03/2025 at Hallam Road custody.\n"
            "14:05 How did you know Nadia was agreeing to what you did?\n" + answer + "\n")
    assert_item(reviewer_instance, tmp_path, text, "consent_steps_explored", "met")


def test_whose_phone(reviewer_instance, tmp_path):
    text = HEADER + ("Nadia OKONJO's handset was examined by the digital forensic unit and a report produced. "
                     "However, the suspect's mobile was never seized.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    assert status(r, "suspect_devices") == "missing"
    devices = [t for t in r.tpm_requests if t["category"] == "complainant_device"]
    assert len(devices) == 1


def test_suspect_download_awaited(reviewer_instance, tmp_path):
    text = HEADER + "Suspect's Samsung seized at arrest; sent for extraction to the hi-tech crime unit, results expected by 30/06/2024.\n"
    r = review_text(reviewer_instance, tmp_path, text)
    assert status(r, "suspect_devices") == "outstanding"
    assert status(r, "outstanding_timetabled") == "met"


def test_outstanding_without_date(reviewer_instance, tmp_path):
    r = review_text(reviewer_instance, tmp_path, HEADER + "The DNA results are outstanding.\n")
    assert status(r, "forensic_medical") == "outstanding"
    assert status(r, "outstanding_timetabled") == "missing"


def test_speculative_and_justified_requests(reviewer_instance, tmp_path):
    text = HEADER + (
        "THIRD PARTY MATERIAL\n"
        "A request has gone to the complainant's school for her entire school file to check her reliability as a witness.\n"
        "A request will be made to Brookside Surgery for GP records limited to the attendance on 04/03/2024, "
        "because the complainant told the GP about her injuries and this is relevant to the issue of consent. "
        "The complainant has been informed in writing of what is sought and why.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    cats = {t["category"]: t for t in r.tpm_requests}
    assert cats["education"]["assessment"] == "speculative"
    assert cats["medical"]["assessment"] == "justified"
    assert cats["medical"]["victim_notified"] is True
    assert status(r, "tpm_reasons_stated") == "missing"
    assert status(r, "counselling_threshold") == "not_applicable"


@pytest.mark.parametrize("text", [
    # records or a phone said not to be wanted are no request, whatever else the sentence says
    "No counselling, school, social care or police records for the IP have been or will be sought.",
    "No line of enquiry needs Nadia's handset at present.",
    "Nothing is sought from her phone; the messages come from the suspect's download.",
    "Complainant's handset - NOT required (stranger offence, no prior contact).",
    # a phone that is only how someone was spoken to is no device
    "The ISVA spoke to Nadia over the phone about the request and she is content.",
])
def test_not_requests(reviewer_instance, tmp_path, text):
    r = review_text(reviewer_instance, tmp_path, HEADER + text + "\n")
    assert r.tpm_requests == []


@pytest.mark.parametrize("text,category", [
    # requests made in the words of an e-mail
    ("Hi Sue, could you also send me Nadia's HR file please, including any sickness absence, so we have the full picture.", "employer"),
    ("Pls send over any notes your counsellors hold for Nadia OKONJO (dob 01/02/2000).", "counselling"),
])
def test_requests_in_email_words(reviewer_instance, tmp_path, text, category):
    r = review_text(reviewer_instance, tmp_path, HEADER + text + "\n")
    assert requests(r, "assessment") == [(category, "speculative")]


def test_a_reason_given_as_what_the_record_would_prevent(reviewer_instance, tmp_path):
    text = HEADER + ("THIRD PARTY MATERIAL\nA request has been sent to Nadia's GP for her prescribing record for May 2025 only. "
                     "Without it the toxicology results could be misread. Nadia was told in writing on 02/06/2025.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    assert requests(r, "assessment") == [("medical", "justified")]


def test_numbered_paragraphs_of_a_request_are_read_together(reviewer_instance, tmp_path):
    text = HEADER + ("8.0 THIRD PARTY MATERIAL\n"
                     "8.1 One request has been made, to the Elmwood SARC for the FME's contemporaneous notes and injury photographs "
                     "only, so that the injuries can be proved and the FME can make a full statement.\n"
                     "Her wider SARC file (aftercare, counselling referrals) is not asked for.\n"
                     "8.2 Nadia was told in writing on 02/06/2025 what is being asked for and why.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    assert requests(r, "assessment", "victim_notified") == [("sarc", "justified", True)]


def test_victim_dpn_is_a_device_request(reviewer_instance, tmp_path):
    """A digital processing notice for a victim's device that names the complainant is the
    request for her phone, read as a whole."""
    text = HEADER + ("\fDIGITAL PROCESSING NOTICE - VICTIM / WITNESS (DPNa)\nDevice user: Nadia OKONJO\nDevice: Google Pixel 7\n"
                     "Purpose: the Instagram messages with the suspect between 1 and 4 May 2025 only.\n"
                     "She was told she could refuse and signed the notice on 05/05/2025.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    assert requests(r, "page") == [("complainant_device", 2)]
    assert status(r, "complainant_device_lawful") == "met"


def test_cps_plan_titled_part_way_down_a_page_is_not_evidence(reviewer_instance, tmp_path):
    text = HEADER + ("He was interviewed on 02/05/2025 and denied it.\n"
                     "CPS EARLY ADVICE - ACTION PLAN (COPY)\n1. Research the suspect on PND and local intelligence.\n")
    assert status(review_text(reviewer_instance, tmp_path, text), "suspect_intelligence") == "missing"


def test_a_trawl_about_the_suspect_does_not_taint_a_request(reviewer_instance, tmp_path):
    text = HEADER + ("THIRD PARTY MATERIAL\n"
                     "A request went to Nadia's employer, Brightwell Logistics, on 03/06/2025 for the swipe-card log of 14/05/2025 only, "
                     "because it shows when she left work, and for details of previous allegations against the suspect, who works there too.\n"
                     "Nadia was told in writing what was asked for and why.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    assert requests(r, "assessment") == [("employer", "justified")]


_TWO_REQUESTS = ("THIRD PARTY MATERIAL\n"
                 "Request 1 - Hillside Surgery: the GP note of 06/05/2025 only, because she was seen for the injury two days later.\n"
                 "Request 2 - Northgate Sixth Form: the attendance register for May 2025 only, because it shows she stopped attending.\n")


@pytest.mark.parametrize("notice,expected", [
    # one written notice for all the requests
    ("Nadia was given a letter on 09/06/2025 explaining both requests and the reasons for them.", "met"),
    ("Third-party material: Nadia was told in writing on 09/06/2025 what is sought from the surgery and the school.", "met"),
    # told by telephone only, or told to someone else
    ("Nadia was told on the phone that we were getting her records.", "missing"),
    ("Her mother has been told about both requests.", "missing"),
])
def test_one_notice_for_all_requests(reviewer_instance, tmp_path, notice, expected):
    assert_item(reviewer_instance, tmp_path, HEADER + _TWO_REQUESTS + notice + "\n", "tpm_victim_notified", expected)


def test_no_tpm_means_not_applicable(reviewer_instance, tmp_path):
    r = review_text(reviewer_instance, tmp_path, HEADER + "The suspect was interviewed under caution and denied the offence.\n")
    for item in ("tpm_reasons_stated", "tpm_scope_limited", "tpm_victim_notified", "counselling_threshold", "complainant_device_lawful"):
        assert status(r, item) == "not_applicable"
    assert r.tpm_requests == []


def test_misconception_flagged_only_in_police_reasoning(reviewer_instance, tmp_path):
    text = HEADER + ("OIC ASSESSMENT\nShe did not fight back at any point, which in my view weakens the allegation considerably.\n"
                     "She did not scream because she was frozen with fear.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    kinds = [(c["kind"], " ".join(c["quote"].split())[:20]) for c in r.concerns]
    assert kinds == [("myth_or_stereotype", "She did not fight ba")]


def test_sexual_history_flagged(reviewer_instance, tmp_path):
    r = review_text(reviewer_instance, tmp_path, HEADER + "The OIC intends to ask the complainant to list her previous sexual partners.\n")
    assert [c["kind"] for c in r.concerns] == ["sexual_history"]


def test_ocr_confusions_still_match(reviewer_instance, tmp_path):
    r = review_text(reviewer_instance, tmp_path, HEADER + "The suspect was interv1ewed under cauti0n on 3 May 2024.\n")
    assert status(r, "suspect_interview") == "met"


def test_action_plan_unanswered(reviewer_instance, tmp_path):
    text = ("CPS EARLY ADVICE AND ACTION PLAN\nAction 1: Obtain the suspect's phone download.\nAction 2: Take a statement from the taxi driver.\n"
            "\fMG3A RESPONSE TO ACTION PLAN\nAction 1 - completed: download received and reviewed.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    assert status(r, "action_plan_responded") == "missing"
    text2 = text + "Action 2 - statement from the taxi driver obtained on 02/05/2024.\n"
    r2 = review_text(reviewer_instance, tmp_path, text2, "case2.txt")
    assert status(r2, "action_plan_responded") == "met"


def test_cps_email_is_advice_not_evidence(reviewer_instance, tmp_path):
    """An e-mail from the CPS setting actions is an action plan, and what it asks for is not
    evidence that it was done; one that sets none (an acknowledgement) is no plan."""
    police = "From: DC Amy PRICE <amy.price@force.police.example>\nTo: RASSO Unit <rasso@cps.example>\nSubject: EA request\nHe was arrested on 02/05/2025.\n"
    cps = ("\fFrom: Helen DOYLE <helen.doyle@cps.example>\nTo: DC Amy PRICE\nSubject: RE: EA request\nPlease action:\n"
           "1. Research the suspect on PND and local intelligence.\n2. Take a statement from the taxi driver.\n")
    r = review_text(reviewer_instance, tmp_path, police + cps)
    assert status(r, "suspect_intelligence") == "missing"
    assert status(r, "action_plan_responded") == "missing"
    ack = "\fFrom: Helen DOYLE <helen.doyle@cps.example>\nSubject: RE: EA request\nThanks, received - I will review this week.\n"
    r2 = review_text(reviewer_instance, tmp_path, police + ack, "case2.txt")
    assert status(r2, "action_plan_responded") == "not_applicable"


@pytest.mark.parametrize("plan,answers,expected", [
    # numbers on a line of their own, bulleted "AP1." and "Action 1:" lines are actions
    ("1.\nDownload the suspect's phone.\n2.\nTrace the bus driver.\n", "AP 1 - download done 04/06.\n", "missing"),
    ("• AP1. Download the suspect's phone.\n• AP2. Trace the bus driver.\n", "AP1 - download done 04/06.\nAP2 - driver traced, MG11 obtained.\n", "met"),
    # an answer that the work is still in hand is an answer
    ("• Action 1: Download the suspect's phone.\n• Action 2: Trace the bus driver.\n",
     "Action 1 - with the DFU, awaited.\nAction 2 - in part; the driver has been written to, reply awaited.\n", "met"),
])
def test_action_plan_layouts(reviewer_instance, tmp_path, plan, answers, expected):
    text = "CPS EARLY ADVICE AND ACTION PLAN\n" + plan + "\fMG3A RESPONSE TO ACTION PLAN\n" + answers
    assert status(review_text(reviewer_instance, tmp_path, text), "action_plan_responded") == expected


@pytest.mark.parametrize("answers,expected", [
    # an answer under each action of a police section that sets out the CPS's actions
    ("1 Trace and interview the taxi driver.\nDriver traced 03/06, MG11 taken.\n2 Research the suspect on PND.\nNo trace on PND.\n", "met"),
    ("1 Trace and interview the taxi driver.\nDriver traced 03/06, MG11 taken.\n2 Research the suspect on PND.\n", "missing"),
])
def test_actions_and_answers_in_one_section(reviewer_instance, tmp_path, answers, expected):
    text = ("MG3A FURTHER REPORT\nSuspect: Gareth PLUMMER\nThe file is resubmitted with the work done.\n"
            "EARLY ADVICE 14/05/2025 - ACTIONS AND POLICE RESPONSES\n" + answers + "OTHER MATTERS SINCE THE ADVICE\nNone.\n")
    assert status(review_text(reviewer_instance, tmp_path, text), "action_plan_responded") == expected


@pytest.mark.parametrize("sentence,item,expected", [
    # conduct is the suspect's when he is named in the clause before it, whoever comes first
    ("After Nadia mentioned a friend's court case online, PLUMMER sent her a text: 'I'm sorry for what I did'.", "post_offence_conduct", "met"),
    # a party named far off across a long table row says nothing of whose entry this is
    ("PNC and PND: no trace (03/06/25); bank statements for the night, which show the card payments at the bar and "
     "the taxi home, were provided by Nadia on 04/06/25.", "suspect_antecedents", "met"),
])
def test_whose_conduct(reviewer_instance, tmp_path, sentence, item, expected):
    assert_item(reviewer_instance, tmp_path, HEADER + sentence + "\n", item, expected)


@pytest.mark.parametrize("text,expected", [
    ("on 02/03/2024", dt.date(2024, 3, 2)),
    ("on 2.3.24", dt.date(2024, 3, 2)),
    ("on 2nd March 2024", dt.date(2024, 3, 2)),
    ("on 2 Mar 24", dt.date(2024, 3, 2)),
    ("on March 2, 2024", dt.date(2024, 3, 2)),
    ("on 2024-03-02", dt.date(2024, 3, 2)),
])
def test_dates_day_first(text, expected):
    assert find_dates(text)[0][2] == expected


def test_timeline_and_delay(reviewer_instance, tmp_path):
    text = HEADER + ("Date of offence: 01/01/2024. Reported to police on 05/01/2024. The suspect was arrested on 10/01/2024 and interviewed on 10/01/2024.\n"
                     "Date of submission: 30/06/2024.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    assert r.timeline["offence"] == "2024-01-01"
    assert r.timeline["reported"] == "2024-01-05"
    assert r.timeline["submitted"] == "2024-06-30"
    assert r.timeline["days_report_to_submission"] == 177
    assert status(r, "key_dates") == "met"
    assert status(r, "delay_explained") == "missing"


def test_phrase_wrapped_across_a_pdf_line(reviewer_instance, tmp_path):
    from reportlab.pdfgen import canvas

    p = tmp_path / "wrapped.pdf"
    c = canvas.Canvas(str(p))
    lines = ["MG3 PRE-CHARGE REPORT", "Suspect: Gareth PLUMMER", "Complainant: Nadia OKONJO",
             "A letter went to Hillside Surgery asking for the complainant's prescribing",
             "record for 01/05/2024 to 10/05/2024 only, because it bears on her capacity."]
    y = 800
    for line in lines:
        c.drawString(40, y, line)
        y -= 14
    c.showPage()
    c.save()
    r = reviewer_instance.review(p)
    assert [t["category"] for t in r.tpm_requests] == ["medical"]
    q = r.tpm_requests[0]
    assert r.pages[0].text[q["start"]:q["end"]] == q["quote"]


@pytest.mark.parametrize("sentence,expected", [
    ("Door entry logs contradict the suspect's version that he left at midnight.", "met"),
    ("The alibi he put forward is still to be checked.", "outstanding"),
    ("Nobody has checked the alibi he put forward.", "missing"),
    ("The CCTV is inconsistent with her account of the route home.", "missing"),
])
def test_tests_of_the_suspects_account(reviewer_instance, tmp_path, sentence, expected):
    r = review_text(reviewer_instance, tmp_path, HEADER + sentence + "\n")
    assert status(r, "suspect_account_tested") == expected


def test_table_row_status_cell(reviewer_instance, tmp_path):
    text = HEADER + "Enquiry | Status | Notes\nDigital forensic strategy | Outstanding | draft with the DMI\nPND research on suspect | Done | nil trace\n"
    r = review_text(reviewer_instance, tmp_path, text)
    assert status(r, "digital_strategy") == "outstanding"
    assert status(r, "suspect_intelligence") == "met"


def test_action_quoted_from_a_cps_plan_is_not_evidence(reviewer_instance, tmp_path):
    text = HEADER + "Action 5 - obtain the 999 recording | No response yet from the control room.\n"
    r = review_text(reviewer_instance, tmp_path, text)
    assert status(r, "first_complaint") != "met"


@pytest.mark.parametrize("sentence,kind", [
    ("Her version has changed twice and a jury would find her unreliable after the amount she drank.", "myth_or_stereotype"),
    ("Officers will ask her ex-partner whether she has a history of making things up.", "complainant_focus"),
    ("The OIC wants details of her casual partners over the last year.", "sexual_history"),
])
def test_concerns_in_new_wording(reviewer_instance, tmp_path, sentence, kind):
    r = review_text(reviewer_instance, tmp_path, HEADER + "OFFICER'S ASSESSMENT\n" + sentence + "\n")
    assert [c["kind"] for c in r.concerns] == [kind]


def test_submission_date_from_email_to_cps(reviewer_instance, tmp_path):
    text = ("From: DC Amy Rowe <amy.rowe@police.example>\nSent: 3 June 2024 10:01\nTo: RASSO Unit <rasso@cps.example>\n"
            "Subject: Early advice request\n\nPlease find the file attached. The offence took place on 12/04/2024 and was reported on 13/04/2024.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    assert r.timeline["submitted"] == "2024-06-03"
    assert r.timeline["days_report_to_submission"] == 51


# ----------------------------------------------------------------- second round of new wording
HEADER_TITLED = "MG3 PRE-CHARGE REPORT\nSuspect: Mr Gareth PLUMMER\nComplainant: Ms Nadia OKONJO\n"


@pytest.mark.parametrize("sentence,item,expected", [
    ('The suspect attended the station by appointment as a voluntary attender and was interviewed under caution. He remains under investigation.', 'suspect_status', 'met'),
    ('PLUMMER was released on police bail to return on 3 March 2025, with conditions not to contact the complainant.', 'suspect_status', 'met'),
    ('The suspect is currently remanded in custody on unrelated matters at HMP Altcourse.', 'suspect_status', 'met'),
    ('Bail: Pre-charge bail granted until 14/02/2025 (conditions: not to attend Wendover Road).', 'suspect_status', 'met'),
    ('He was de-arrested and released RUI pending further enquiries.', 'suspect_status', 'met'),
    ('Current status of suspect: RUI.', 'suspect_status', 'met'),
    ('The suspect was interviewed and released.', 'suspect_status', 'missing'),
    ('All enquiries are complete.', 'rloe_recorded', 'missing'),
    ('A digital strategy has been agreed with the DMI setting out which devices will be examined, the date range and the categories of data.', 'digital_strategy', 'met'),
    ("The extraction of the complainant's phone was limited to messages between the parties from 1 to 5 June, in line with the written digital strategy.", 'digital_strategy', 'met'),
    ('No digital strategy has been prepared.', 'digital_strategy', 'missing'),
    ('The examination parameters were agreed: WhatsApp and call logs between 01/06/2024 and 07/06/2024 only, reviewed by keyword.', 'digital_strategy', 'met'),
    ("In interview the suspect said he was at his brother's house all night. His brother has been spoken to and a statement obtained; he does not support the alibi.", 'suspect_account_tested', 'met'),
    ('The suspect named two friends who he says will confirm the complainant was flirting with him; both have been traced and interviewed.', 'suspect_account_tested', 'met'),
    ('The messages the suspect relies on have been recovered from his phone and reviewed against his account.', 'suspect_account_tested', 'met'),
    ('The Uber receipt the suspect produced in interview was checked with Uber and confirms a pickup at 02:14.', 'suspect_account_tested', 'met'),
    ('He was asked what he did to make sure she was agreeing and said she never told him to stop.', 'consent_steps_explored', 'met'),
    ('PLUMMER was challenged on how he could have believed she consented when she was asleep.', 'consent_steps_explored', 'met'),
    ('The interviewing officer put to him that she was too intoxicated to consent; he replied no comment.', 'consent_steps_explored', 'met'),
    ('Consent was not covered in interview.', 'consent_steps_explored', 'missing'),
    ('CCTV shows the suspect buying her a double vodka and steering her away from her friends towards the exit.', 'pre_offence_conduct', 'met'),
    ("The suspect's conduct before the offence has been analysed: he messaged her repeatedly that evening and offered to walk her home.", 'pre_offence_conduct', 'met'),
    ('He insisted on driving her home and then took a different route to a lay-by.', 'pre_offence_conduct', 'met'),
    ('Messages show he planned to get her alone, telling a friend "tonight\'s the night".', 'pre_offence_conduct', 'met'),
    ('Toxicology results awaited - ETA w/c 12/08/2024.', 'outstanding_timetabled', 'met'),
    ('Suspect phone download with DFU, results expected within six weeks.', 'outstanding_timetabled', 'met'),
    ('Cell site analysis requested; due back end of July 2024.', 'outstanding_timetabled', 'met'),
    ('Cell site analysis has been requested and is awaited.', 'outstanding_timetabled', 'missing'),
    ('DNA results awaited; no timescale given by the lab.', 'outstanding_timetabled', 'missing'),
    ('Her phone was examined by a kiosk download after she signed a DPN; only WhatsApp messages with the suspect between 1 and 3 June were extracted.', 'complainant_device_lawful', 'met'),
    ("The complainant's phone was seized for a full download as is standard in these cases.", 'complainant_device_lawful', 'missing'),
    ('Ms OKONJO handed her phone over voluntarily; a Digital Processing Notice was completed and the review was limited to her Snapchat conversation with PLUMMER on the night.', 'complainant_device_lawful', 'met'),
    ("PLUMMER's iPhone was seized on arrest and a full extraction has been completed by the DFU.", 'suspect_devices', 'met'),
    ('Susp mobile seized, with DFU, awaiting download.', 'suspect_devices', 'outstanding'),
    ("No attempt was made to recover the suspect's handset.", 'suspect_devices', 'missing'),
    ('The messages between PLUMMER and Ms OKONJO in the days before and after have been reviewed from his phone.', 'suspect_communications', 'met'),
    ('PLUMMER was interviewed under caution on 4 April 2024 and gave a prepared statement.', 'suspect_interview', 'met'),
    ('Arrest and interview of the suspect are planned for next week.', 'suspect_interview', 'outstanding'),
    ('Intelligence checks on the suspect: nothing recorded on PND or local systems.', 'suspect_intelligence', 'met'),
    ('PNC - 2 previous convictions for assault (2016, 2019).', 'suspect_antecedents', 'met'),
    ('The complainant attended the SARC where intimate swabs were taken. The swabs have been submitted to the lab and results are awaited.', 'forensic_medical', 'outstanding'),
    ('Forensic medical examination not required - the complainant reported the offence three years later.', 'forensic_medical', 'met'),
    ('After the assault he sent her a message saying "I\'m sorry I got carried away", which has been captured from her phone.', 'post_offence_conduct', 'met'),
    ('No enquiries have been made into what the suspect did after he left the flat.', 'post_offence_conduct', 'missing'),
    ('House-to-house enquiries were carried out on Wendover Road; a neighbour heard screaming at about 2am and has given a statement.', 'independent_corroboration', 'met'),
    ('Previous partners of the suspect have been traced and two have disclosed similar behaviour; statements are being taken.', 'suspect_antecedents', 'met'),
    ("A bad character application has been considered; PLUMMER's previous partner has given a statement describing similar conduct.", 'suspect_antecedents', 'met'),
    ('She has been referred to an ISVA at the Rowan Centre.', 'isva_referral', 'met'),
    ("The complainant's account was captured in a visually recorded interview on 2 March.", 'abe_interview', 'met'),
    ('Special measures discussed with the complainant: she would like to give evidence by live link with a screen.', 'special_measures', 'met'),
    ('Victim Personal Statement not yet taken.', 'victims_code', 'outstanding'),
    ('MG6C completed and attached.', 'mg6c_schedule', 'met'),
    ('The sensitive schedule has not been completed.', 'mg6d_schedule', 'missing'),
    ('Nothing has been identified which might undermine the prosecution case or assist the defence.', 'undermining_material', 'met'),
    ('A Disclosure Management Document has been drafted and is attached.', 'disclosure_management_document', 'met'),
    ('Enquiries to verify the account given by the suspect have not been carried out.', 'suspect_account_tested', 'missing'),
    ('She told her sister Leanne the following morning; Leanne has provided a statement describing what she was told.', 'first_complaint', 'met'),
    ('The 999 call has been downloaded and a transcript prepared.', 'first_complaint', 'met'),
    ('The 999 recording has been requested from the control room.', 'first_complaint', 'outstanding'),
    ("Her first account was captured on the attending officer's body-worn video.", 'first_complaint', 'met'),
    ('The complainant says she told a work colleague the next day but the colleague has not been identified or spoken to.', 'first_complaint', 'missing'),
    ('No ISVA referral has been made.', 'isva_referral', 'missing'),
    ('ISVA - to be offered at next contact.', 'isva_referral', 'outstanding'),
    ('The ABE interview is booked for 14 June.', 'abe_interview', 'outstanding'),
    ('Her ABE has not yet taken place; she wants time to decide.', 'abe_interview', 'outstanding'),
    ('The complainant provided a written statement rather than an ABE, at her request, as she did not want to be filmed.', 'abe_interview', 'met'),
    ('In interview PLUMMER said the sex was consensual and that she initiated it.', 'suspect_account', 'met'),
    ('He denies any sexual contact took place.', 'suspect_account', 'met'),
    ('PLUMMER gave a no comment interview.', 'suspect_account', 'met'),
    ('He handed in a prepared statement accepting intercourse but saying she consented.', 'suspect_account', 'met'),
    ('Only screenshots provided by the complainant are available; the full thread has not been obtained.', 'suspect_communications', 'missing'),
    ("The WhatsApp chat between the parties was recovered from PLUMMER's phone download and matches her screenshots.", 'suspect_communications', 'met'),
    ('Call data for both numbers has been applied for and is awaited.', 'suspect_communications', 'outstanding'),
    ('Completed actions: CCTV trawl (nil), house-to-house (one witness), PNC/PND (no trace). Outstanding: DFU download (target 30/09).', 'rloe_recorded', 'met'),
    ('Susp phone - seized on arrest 12/05, sub to DFU 13/05, awaiting download.', 'suspect_devices', 'outstanding'),
    ("IP phone - not req'd.", 'complainant_device_lawful', 'not_applicable'),
    ('CCTV - Tesco Express & taxi rank, both viewed, nil of evidential value.', 'independent_corroboration', 'met'),
    ('H2H - done 14/05, nil.', 'independent_corroboration', 'met'),
    ('ANPR on susp vehicle - requested, not back.', 'independent_corroboration', 'outstanding'),
    ('Intel - PND/local checks NTR.', 'suspect_intelligence', 'met'),
    ('Susp interviewed 15/05 - full denial, says no sex took place.', 'suspect_account', 'met'),
    ('VRI of IP completed 11/05.', 'abe_interview', 'met'),
    ('ISVA - referral made 11/05 (Safe Space).', 'isva_referral', 'met'),
    ('MG6C - to follow.', 'mg6c_schedule', 'outstanding'),
    ('MG6D - not started.', 'mg6d_schedule', 'missing'),
    ('DMD - N/A at this stage.', 'disclosure_management_document', 'missing'),
    ('Q: What did you do to check she was OK with it? A: She was kissing me back, that was enough.', 'consent_steps_explored', 'met'),
    ('Q: Did she say yes? A: No comment.', 'consent_steps_explored', 'met'),
    ('A request for her GP records has been sent to the surgery, to establish what she told her GP on 3 May. Only that consultation is requested. She has not been told about the request.', 'tpm_victim_notified', 'missing'),
    ('A request for her GP records has been sent to the surgery, to establish what she told her GP on 3 May. Only that consultation is requested. She was informed verbally by the OIC.', 'tpm_victim_notified', 'missing'),
    ('A request for her GP records has been sent to the surgery, to establish what she told her GP on 3 May. Only that consultation is requested. A s.44B notice was given to her on 4 May.', 'tpm_victim_notified', 'met'),
    ("The IP's phone was downloaded in full at the kiosk; she agreed verbally.", 'complainant_device_lawful', 'missing'),
    ('The complainant was told that if she did not hand over her phone the investigation could not continue.', 'complainant_device_lawful', 'missing'),
    ("Question | Answer | Comment\nHas the suspect's phone been seized? | Yes | Seized on arrest 04/06/2024, downloaded by DFU 20/06/2024.", 'suspect_devices', 'met'),
    ('Question | Answer | Comment\nHas CCTV been obtained? | No | No cameras on the route.', 'independent_corroboration', 'met'),
    ('Question | Answer | Comment\nHas the suspect been interviewed? | No | Not yet traced.', 'suspect_interview', 'missing'),
    ('Question | Answer | Comment\nHas an ISVA referral been made? | Yes | Referred to Rape Crisis 03/06.', 'isva_referral', 'met'),
    ('Action | RAG | Update\nPNC / PND checks on suspect | Green | Completed 05/06 - nil.', 'suspect_intelligence', 'met'),
    ('Action | RAG | Update\nHouse-to-house | Red | Not started.', 'independent_corroboration', 'missing'),
    ('Action | RAG | Update\nSuspect phone download | Amber | With DFU, expected w/c 12/08.', 'suspect_devices', 'outstanding'),
    ('Action | Status | Comment\nForensic medical examination | Not required | Reported three years after the offence.', 'forensic_medical', 'met'),
    ('Action | Status | Comment\nMG6D | Not done |', 'mg6d_schedule', 'missing'),
    ('H2H - will do next week.', 'independent_corroboration', 'outstanding'),
    ('CCTV - to consider if time allows.', 'independent_corroboration', 'missing'),
    ('Intel checks on suspect - N/K.', 'suspect_intelligence', 'missing'),
    ('Susp phone - will be seized if he is arrested.', 'suspect_devices', 'missing'),
    ('After the incident PLUMMER deleted his Snapchat account, which has been confirmed by Snap Inc.', 'post_offence_conduct', 'met'),
    ("The suspect's movements after leaving the address have been traced on CCTV to the taxi rank.", 'post_offence_conduct', 'met'),
    ('He messaged a friend the next morning saying "she\'ll regret it", recovered from his download.', 'post_offence_conduct', 'met'),
    ('He texted her the following day to apologise.', 'post_offence_conduct', 'met'),
    ("No analysis of the suspect's behaviour after the offence has been carried out.", 'post_offence_conduct', 'missing'),
    ('Earlier that evening he asked the barman for a room key to the staff flat.', 'pre_offence_conduct', 'met'),
    ('Disclosure Management Document: drafted 02/06/2024, attached.', 'disclosure_management_document', 'met'),
    ('A DMD will be completed once the file is charged.', 'disclosure_management_document', 'missing'),
    ('DMD to be prepared by 30/06/2024.', 'disclosure_management_document', 'outstanding'),
    ('MG6C/MG6D to be completed by 14/06/2024. Toxicology due 21 June.', 'outstanding_timetabled', 'met'),
    ('Outstanding: download of suspect phone (no date from DFU); CCTV from the bus company (requested 2/5).', 'outstanding_timetabled', 'missing'),
    ('He was not asked how he knew she was consenting.', 'consent_steps_explored', 'missing'),
    ('Consent and capacity were explored fully in interview: he said she was "not that drunk" and agreed to go upstairs.', 'consent_steps_explored', 'met'),
    ('He accepts they had sex but says it was consensual.', 'suspect_account', 'met'),
    ('His position is that she consented throughout.', 'suspect_account', 'met'),
    ('PLUMMER maintains that the sex was consensual and that she initiated it.', 'suspect_account', 'met'),
    ('He claims she was awake and a willing participant.', 'suspect_account', 'met'),
    ('In his interview he stated that he could not remember the night because he was drunk.', 'suspect_account', 'met'),
    ('PLUMMER denies being at the address that night.', 'suspect_account', 'met'),
    ("The suspect's version is that they kissed but nothing more happened.", 'suspect_account', 'met'),
    ('He told officers the complainant had been "up for it" all evening.', 'suspect_account', 'met'),
    ('Intelligence checks have not been completed on the suspect.', 'suspect_intelligence', 'missing'),
    ("Local intelligence: PLUMMER is linked to two previous reports of sexual assault (NFA'd).", 'suspect_intelligence', 'met'),
    ('Checks on the Police National Database were requested on 3 June; the result is awaited.', 'suspect_intelligence', 'outstanding'),
    ('> Has the 999 call been obtained?\nYes - obtained 03/06 and transcribed.', 'first_complaint', 'met'),
    ('> Has the 999 call been obtained?\nNot yet, requested from control room 04/06.', 'first_complaint', 'outstanding'),
    ('> Has the 999 call been obtained?\nNo.', 'first_complaint', 'missing'),
    ("Has the suspect's phone been seized?\nThanks, I will look into this.", 'suspect_devices', 'missing'),
    ('Have you carried out house-to-house enquiries?\nYes, completed on 2 June with nil result.', 'independent_corroboration', 'met'),
    ('Q: Did she say yes?\nA: No comment.', 'consent_steps_explored', 'met'),
    ('No. | Action | Status | Comment\n4 | Obtain CCTV from the Red Lion | Complete | Viewed - suspect seen leaving at 01:12 with the IP.', 'independent_corroboration', 'met'),
    ('No. | Action | Status | Comment\n5 | Forensic medical examination | Refused | IP declined SARC examination.', 'forensic_medical', 'met'),
    ('No. | Action | Status | Comment\n6 | House-to-house | Not done |', 'independent_corroboration', 'missing'),
    ("No. | Action | Status | Comment\n7 | Download of suspect's phone | In progress | With DFU.", 'suspect_devices', 'outstanding'),
    ('No. | Action | Status | Comment\n8 | PNC check on suspect | Complete - nil | No previous convictions.', 'suspect_antecedents', 'met'),
    ('Action | Owner | Status\nMG6C schedule | DC Holt | Done', 'mg6c_schedule', 'met'),
    ('Action | Owner | Status\nMG6D schedule | DC Holt | To do', 'mg6d_schedule', 'outstanding'),
    ('> Please obtain the 999 recording and a transcript.\nDone - attached.', 'first_complaint', 'met'),
    ('> Please obtain the 999 recording and a transcript.', 'first_complaint', 'missing'),
    ("> 3. Obtain the suspect's phone download.\nThis is with DFU, ETA end of August.", 'suspect_devices', 'outstanding'),
    ('You should obtain CCTV from the bar.', 'independent_corroboration', 'missing'),
    ("The CPS advised that the suspect's phone should be seized.", 'suspect_devices', 'missing'),
    ('Toxicology results are awaited and expected by the end of next month.', 'outstanding_timetabled', 'met'),
    ('The download of his phone is awaited; DFU have given a date of 14 June.', 'outstanding_timetabled', 'met'),
    ('Cell site analysis is outstanding - target end of July.', 'outstanding_timetabled', 'met'),
    ('The MG6D is being prepared and will be with you by Friday.', 'outstanding_timetabled', 'met'),
    ('Statement from the taxi driver to be obtained within the next fortnight.', 'outstanding_timetabled', 'met'),
    ('Suspect phone download outstanding - DFU estimate 8-10 weeks.', 'outstanding_timetabled', 'met'),
    ('The DNA result is still awaited; the lab cannot give a date.', 'outstanding_timetabled', 'missing'),
    ('Intimate swabs were taken at the SARC but have not yet been submitted for analysis.', 'forensic_medical', 'outstanding'),
    ('Her clothing was seized and is being held; no submission has been made.', 'forensic_medical', 'missing'),
    ("Forensic submissions are on hold pending the suspect's interview.", 'forensic_medical', 'outstanding'),
    ('The complainant attended the SARC on 3 June and an FME was completed; swabs submitted, results back: male DNA matching PLUMMER.', 'forensic_medical', 'met'),
    ('No forensic opportunities were identified as she had showered and washed her clothes.', 'forensic_medical', 'met'),
    ('After the assault PLUMMER blocked her on all social media.', 'post_offence_conduct', 'met'),
    ('He left the country two days later, which is being looked into.', 'post_offence_conduct', 'met'),
    ('What the suspect did after the incident has not been looked at.', 'post_offence_conduct', 'missing'),
    ('PLUMMER messaged her the next morning asking her not to tell anyone.', 'post_offence_conduct', 'met'),
    ('Following the incident he changed his phone number and moved address.', 'post_offence_conduct', 'met'),
    ('He contacted her sister afterwards to ask what she had said to police.', 'post_offence_conduct', 'met'),
    ('He searched online for "rape sentence UK" the day after, per his download.', 'post_offence_conduct', 'met'),
    ('He attempted to clean the bedding before police arrived.', 'post_offence_conduct', 'met'),
    ('Before the party PLUMMER told friends he intended to "get with her" whatever happened.', 'pre_offence_conduct', 'met'),
    ('He offered her a lift home and then drove in the opposite direction.', 'pre_offence_conduct', 'met'),
    ('He kept her glass topped up all night.', 'pre_offence_conduct', 'met'),
])
def test_more_wording_for_the_weak_items(reviewer_instance, tmp_path, sentence, item, expected):
    """Status words that are part of what they describe ("remains under investigation"), RLOE
    lists with a "not pursued" column, witnesses the suspect names, consent put to him."""
    assert_item(reviewer_instance, tmp_path, HEADER_TITLED + sentence + "\n", item, expected)


@pytest.mark.parametrize("text,category,reason,scope,notified,assessment", [
    ('THIRD PARTY MATERIAL\nHolder: Brookfield Medical Practice\nMaterial sought: GP notes of the attendance on 03/04/2024 only\nReason: the complainant told her GP about the assault at that appointment; the note is potential first-complaint evidence\nComplainant notified: Yes - s.44B notice handed to her on 05/04/2024', 'medical', True, True, True, 'justified'),
    ('- Counselling records (Rape Crisis Tyneside): requested in full as the CPS will want to see them. IP not told.', 'counselling', False, False, False, 'speculative'),
    ("The OIC has sent a disclosure request to the IP's previous school for any records of behavioural issues or dishonesty from Year 7 onwards.", 'education', False, False, False, 'speculative'),
    ("A request went to Avonside Children's Services for the referral made by the school nurse on 2 February 2023, which records what the complainant first said. The request is narrowed to that referral and the strategy meeting minutes that followed. Her mother, as her parent, was told in writing what is sought and why.", 'social_care', True, True, True, 'justified'),
    ('Request made to the university counselling service for notes of her sessions with them. No reason is recorded on the request and no date range was given.', 'counselling', False, False, False, 'speculative'),
    ('A request has been made to her GP surgery for the record of the consultation on 14 March 2024, when she disclosed the assault to the GP. This is relevant to the issue of first complaint and recent complaint. The request is confined to that single appointment. Ms OKONJO was given a letter explaining what is being sought, why, and how it will be handled.', 'medical', True, True, True, 'justified'),
    ("We have requested the complainant's counselling notes from Talk Space. The notes may contain an account of the incident which differs from her ABE, which goes to her consistency. The request covers only sessions after 2 May 2024 in which the incident was discussed. She was informed in writing on 20 May 2024 and agreed.", 'counselling', True, True, True, 'justified'),
    ('Social services have been asked to provide all records they hold on the complainant and her family since 2005 to check whether there are any concerns about her honesty.', 'social_care', False, False, False, 'speculative'),
    ('Her school has been approached for her attendance record for the week of the offence. The aim is to establish whether she was in school on the Monday, as she describes telling her form tutor. The school has been asked only for that week. The complainant and her mother were sent a notification letter.', 'education', True, True, True, 'justified'),
    ('I have applied for her medical records to see if there is anything relevant.', 'medical', False, False, False, 'speculative'),
    ('Her employer was contacted for her sickness record. This is necessary to corroborate her account that she was off work with injuries in the week after the offence. Only the period 1 to 14 June 2024 has been requested. She has not yet been told about this request.', 'employer', True, True, False, 'justified'),
    ("Children's Services have been asked for their file on the family, for background and home life.", 'social_care', False, False, False, 'speculative'),
    # asking for everything is a want of limits, not of a reason; looking for other allegations is a trawl
    ("Northfold Children's Services were asked for all records they hold on Nadia, to find out whether the school referred her in 2012.", 'social_care', True, False, False, 'needs_justification'),
    ("A letter went to the academy asking for her school records to see if she ever made allegations against anyone else.", 'education', False, False, False, 'speculative'),
    ("To help the toxicologist read the blood result, Nadia's GP prescribing record for May 2024 only has been requested.", 'medical', True, True, False, 'justified'),
])
def test_third_party_requests_in_new_wording(reviewer_instance, tmp_path, text, category, reason, scope, notified, assessment):
    r = review_text(reviewer_instance, tmp_path, HEADER_TITLED + text + "\n")
    reqs = [x for x in r.tpm_requests if x["category"] == category]
    assert reqs, [x["category"] for x in r.tpm_requests]
    x = reqs[0]
    assert (x["reason_stated"], x["scope_limited"], x["victim_notified"], x["assessment"]) == (reason, scope, notified, assessment)


@pytest.mark.parametrize("sentence,kind", [
    ('She did not scream or try to push him away, which will be difficult to explain to a jury.', 'myth_or_stereotype'),
    ('The complainant waited four months before reporting, which undermines her account.', 'myth_or_stereotype'),
    ('She continued to message him in a friendly way afterwards, which is not the behaviour you would expect.', 'myth_or_stereotype'),
    ('She was wearing a short dress and had been drinking heavily, so a jury may think she was up for it.', 'myth_or_stereotype'),
    ('There are no injuries, which weakens the case considerably.', 'myth_or_stereotype'),
    ('She went back to his flat voluntarily, so it is hard to see this as non-consensual.', 'myth_or_stereotype'),
    ('They had slept together before, so consent is likely.', 'myth_or_stereotype'),
    ('She has not cried or shown distress when giving her account, which makes her less convincing.', 'myth_or_stereotype'),
    ('It is unclear why a genuine victim would stay friends with him on Instagram.', 'myth_or_stereotype'),
    ('The OIC intends to ask the complainant how many sexual partners she has had.', 'sexual_history'),
    ("Enquiries will be made into the complainant's previous relationships and sexual behaviour.", 'sexual_history'),
    ('We need to establish whether she has made false allegations in the past.', 'complainant_focus'),
    ('Checks will be made on her mental health to see if she is a reliable witness.', 'complainant_focus'),
    ('Her social media will be reviewed to see whether she has posted anything that damages her credibility.', 'complainant_focus'),
    ('Delayed reporting is common in cases of this kind and does not undermine her account.', 'none'),
    ('The absence of injury is neutral; most rapes leave no injury.', 'none'),
    ("The CPS reminded officers not to rely on the complainant's intoxication as a reason to doubt her.", 'none'),
    ('She did not report the matter for three weeks. This will be an issue at trial.', 'myth_or_stereotype'),
    ('The IP had consumed a large amount of alcohol and cannot remember parts of the evening. A jury may struggle with her account.', 'myth_or_stereotype'),
    ('She remained friends with him on Facebook after the incident, which the defence will exploit.', 'myth_or_stereotype'),
    ('She stayed at his flat until the morning and had breakfast with him, which does not sit well with her account.', 'myth_or_stereotype'),
    ('She has a history of casual relationships with men she meets online.', 'sexual_history'),
    ('Her previous sexual partners will be identified and spoken to.', 'sexual_history'),
    ('Her ex-boyfriend has been asked whether she has ever made false claims before.', 'complainant_focus'),
    ('We will check her medical records for any history of mental illness that might affect her reliability.', 'complainant_focus'),
    ('The complainant is known to police as a regular missing person and has been in trouble for lying.', 'complainant_focus'),
    ('Freezing is a common response and her lack of resistance does not undermine her account.', 'none'),
    ('The defence may argue that she consented; the evidence of the CCTV rebuts this.', 'none'),
    ('I have concerns about her account given that she chose to go home with him.', 'myth_or_stereotype'),
    ('It is notable that she made no attempt to leave or call for help.', 'myth_or_stereotype'),
    ('Her behaviour afterwards, going to work as normal, is at odds with someone who has been raped.', 'myth_or_stereotype'),
    ('Given her level of intoxication her recollection cannot be relied upon.', 'myth_or_stereotype'),
    ('She sent him a text the next day thanking him for a nice evening, which is hard to reconcile with her allegation.', 'myth_or_stereotype'),
    ('The fact that she is in a relationship with him makes this a difficult case to prove.', 'myth_or_stereotype'),
    ('As a man he should have been able to fight her off.', 'myth_or_stereotype'),
    ('She has previously had consensual sex with the suspect, so the jury may think she consented again.', 'myth_or_stereotype'),
    ('The OIC wants to know how many men she has slept with.', 'sexual_history'),
    ('Officers will look at whether she has a reputation for lying at school.', 'complainant_focus'),
    ('Her counselling notes will show whether she has told different versions.', 'complainant_focus'),
])
def test_misconceptions_and_their_rebuttals(reviewer_instance, tmp_path, sentence, kind):
    """A myth with the reasoning that leans on it is a concern, even when a negation elsewhere in
    the sentence ("there are no injuries, which weakens...") would otherwise deny the reasoning;
    a sentence that rebuts the myth is not."""
    r = review_text(reviewer_instance, tmp_path, HEADER_TITLED + "OFFICER'S ASSESSMENT\n" + sentence + "\n")
    assert [c["kind"] for c in r.concerns] == ([] if kind == "none" else [kind])


@pytest.mark.parametrize("text,field,expected", [
    ("The offence took place in the early hours of Saturday 3rd February 2024 at the suspect's flat.", 'offence', '2024-02-03'),
    ('Ms OKONJO came forward to police on 9 February 2024.', 'reported', '2024-02-09'),
    ('She made her report by telephone on 12/02/24.', 'reported', '2024-02-12'),
    ('The matter was first reported to Avon Police on the 14th of March 2024.', 'reported', '2024-03-14'),
    ('PLUMMER was arrested at his home address on 15.03.2024 and interviewed the same day.', 'arrested', '2024-03-15'),
    ('He was interviewed under caution on 16 March 2024 in the presence of his solicitor.', 'suspect_interviewed', '2024-03-16'),
    ('He attended Bristol Central by appointment on 2 April 2024 and was interviewed.', 'suspect_interviewed', '2024-04-02'),
    ('This file was submitted to the CPS for early advice on 20 May 2024.', 'submitted', '2024-05-20'),
    ('Date of submission: 21/05/2024', 'submitted', '2024-05-21'),
    ('Incident date: 01/01/2024', 'offence', '2024-01-01'),
    ('Date reported: 03/01/2024', 'reported', '2024-01-03'),
    ('The allegation relates to an incident on the night of 5-6 July 2024.', 'offence', '2024-07-05'),
    ('Early advice was requested from the CPS on 10 June 2024.', 'submitted', '2024-06-10'),
    ('Referred to CPS Direct for early advice 11/06/2024.', 'submitted', '2024-06-11'),
    ('On the night of Friday 2 February 2024 Ms OKONJO went to the Crown public house with friends, where she met PLUMMER.', 'offence', '2024-02-02'),
    ('Date/time of offence: 02/02/2024 23:30', 'offence', '2024-02-02'),
    ('Reported: 04/02/2024 via 101', 'reported', '2024-02-04'),
    ('Ms OKONJO reported the matter to police via 101 on Sunday 4 February 2024.', 'reported', '2024-02-04'),
    ('Susp arrested 06/02/24, intv same day, RUI.', 'arrested', '2024-02-06'),
    ('The suspect was voluntarily interviewed on 7 March 2024.', 'suspect_interviewed', '2024-03-07'),
    ('Interview: 07/03/2024 (voluntary, solicitor present)', 'suspect_interviewed', '2024-03-07'),
    ('Initial report | 05/02/2024 - online, OIC allocated the next day', 'reported', '2024-02-05'),
    ('Her sister persuaded her to ring us and the 101 call was logged at 09:40 on 06/02/2024.', 'reported', '2024-02-06'),
    ('Date sent | Tuesday 14 May 2024', 'submitted', '2024-05-14'),
    ('Early advice request | This MG3A 02.09.24 | OIC DC 311 PRICE', 'submitted', '2024-09-02'),
    # the CPS's advice may give the offence date the police papers leave out, nothing else
    ("\fCPS PRE-CHARGE ADVICE - MG3 (PROSECUTOR SECTION)\nThe offence is alleged to have taken place on 22/06/2024.\nAdvice given 19/08/2024.", 'offence', '2024-06-22'),
    # a third-party request sent is not the file sent
    ('Submitted 20th May 2024.\nCounselling service - request sent 21st March 2024.', 'submitted', '2024-05-20'),
    # the submission from a report's head line, the date from the line after its label
    ("Referral date: 3 Dec 2024\nThe offence was reported on 2 November 2024.", "submitted", "2024-12-03"),
    ("Date: 17/02/2025\nThe offence was reported on 2 November 2024.", "submitted", "2025-02-17"),
    ("EA requested 02/01/2025; CPS advice 09/01/2025; this update 30/01/2025.", "submitted", "2025-01-30"),
    ("OIC UPDATE FOR CPS EA - 19.06.25\nRep: 03.02.25 - IP attended the front counter.", "submitted", "2025-06-19"),
    # the answer on the line after a label or a question
    ("Reported to police\n15/03/2025 at 09:05, 101 call.", "reported", "2025-03-15"),
    ("Q2. When was it reported?\nSunday 15 June 2025 at 19:10, by her mother.", "reported", "2025-06-15"),
    ("Rep: 03.02.25 - IP attended the front counter with a friend.", "reported", "2025-02-03"),
    # the offence by its abbreviations and its night, without the word 'offence'
    ("Off: 19/04/24 approx 23:40 - Tanyard Lane car park.", "offence", "2024-04-19"),
    ("Date/time   Fri 6th Sept 2024, between 2300 and 0100hrs", "offence", "2024-09-06"),
    ("He woke in the early hours of Sun 09/03/25 to find PLUMMER on top of him.", "offence", "2025-03-09"),
    # a line of key dates in shorthand, a "When" box, a weekday before a date in the story
    ("Key dates: off 03.04.25, rep 04.04.25, sub 02.05.25.", "offence", "2025-04-03"),
    ("Key dates: off 03.04.25, rep 04.04.25, sub 02.05.25.", "reported", "2025-04-04"),
    ("Key dates: off 03.04.25, rep 04.04.25, sub 02.05.25.", "submitted", "2025-05-02"),
    ("When | late evening of Friday 4 April 2025, the Crown Inn car park", "offence", "2025-04-04"),
    ("Nadia went to the Crown with two friends on Friday 4/4/25 and met PLUMMER at the bar.", "offence", "2025-04-04"),
    # the report by its first account or the call that logged it, and "report DATE to this submission"
    ("PC 4410 took Nadia's first account on BWV at 03:20 on 05/04/25 in the back of the car.", "reported", "2025-04-05"),
    ("The log of the call (ref 0211, 06/04/2025) records her words as 'he wouldn't stop'.", "reported", "2025-04-06"),
    ("Timescales: report 06/04/25 to this submission is 61 days because of the DFU queue.", "reported", "2025-04-06"),
])
def test_timeline_fields_in_new_wording(reviewer_instance, tmp_path, text, field, expected):
    assert_date(reviewer_instance, tmp_path, HEADER_TITLED + text + "\n", field, expected)


@pytest.mark.parametrize("text,expected", [
    ("on the night of 5-6 July 2024", [dt.date(2024, 7, 5)]),
    ("between 3rd and 4th May 2024", [dt.date(2024, 5, 3)]),
    ("seen 12/02/24 and 3 May 2024", [dt.date(2024, 2, 12), dt.date(2024, 5, 3)]),
])
def test_date_ranges_give_their_first_day(text, expected):
    assert [d for _, _, d in find_dates(text)] == expected


@pytest.mark.parametrize("sentence,item,expected", [
    ("The suspect was inteviewed under caution on 3 May and gave a no comment interveiw.", "suspect_interview", "met"),
    ("She told her freind Amy the next morning; Amy's statment has been obtained.", "first_complaint", "met"),
    ("Intel checks on the supect: no trace.", "suspect_intelligence", "met"),
])
def test_common_misspellings_still_match(reviewer_instance, tmp_path, sentence, item, expected):
    assert_item(reviewer_instance, tmp_path, HEADER_TITLED + sentence + "\n", item, expected)


@pytest.mark.parametrize("text,category", [
    ('The OIC has written to Dr Patel at the Elms Surgery for her medical notes.', 'medical'),
    ('Her GP notes have been applied for.', 'medical'),
    ('We are seeking her full medical history from the surgery.', 'medical'),
    ('A&E records for her attendance at Southmead on 4 June have been obtained.', 'medical'),
    ('Records from the sexual health clinic are being requested.', 'medical'),
    ('Mental health records from the CMHT will be sought.', 'medical'),
    ('We have asked her therapist for copies of her session notes.', 'counselling'),
    ('Notes from her sessions with the Rape Crisis counsellor have been requested.', 'counselling'),
    ("Children's Social Care have been asked for her file.", 'social_care'),
    ('The local authority has been contacted for any records relating to the complainant as a child.', 'social_care'),
    ('An enquiry has been made with her school for her pastoral file.', 'education'),
    ('Her college safeguarding lead has been asked for any disclosures she made.', 'education'),
    ('Her employer, Tesco, has been asked for her sickness absence records.', 'employer'),
    ('HR at her workplace were contacted for her personnel file.', 'employer'),
    ('Her mobile phone has been taken for examination.', 'complainant_device'),
    ('The complainant handed her phone to officers, who sent it for a full download.', 'complainant_device'),
    ('Previous police reports made by the complainant have been reviewed.', 'police_records'),
    ('GP records - awaited.', 'medical'),
    ('Medical records (GP): pending, consent form signed by IP on 03/06.', 'medical'),
    ("IP's medical notes from Riverside Surgery received and reviewed; nothing relevant.", 'medical'),
    ("PLUMMER denies the offence. Ms OKONJO's GP records have been obtained to confirm she attended with injuries on 5 May.", 'medical'),
    ('Third party material: GP records for the attendance on 5 May 2024.', 'medical'),
    ('The complainant consented to the release of her GP records, which show she attended on 5 May with bruising.', 'medical'),
    ('We will obtain her hospital notes from the attendance that night.', 'medical'),
    ("The complainant's social worker has provided a copy of the referral made in March.", 'social_care'),
    ('Social services records: received.', 'social_care'),
    ("Adult social care - req'd her care file 04/09.", 'social_care'),
    ('Vic phone - full DL, handed in by her dad.', 'complainant_device'),
    # an e-mail to the holder asks in its own words ("can I have", "grateful if you could")
    ("To: records@northvale-cc.example\nHi, can I have the children's social care file entries for Nadia from 2019 only. Thanks", 'social_care'),
    ('Dear Sir, I would be grateful if you could send the antenatal notes for Nadia OKONJO covering 1 to 20 May 2024.', 'medical'),
    ('Could you please send me the maternity and antenatal records for the booking appointment on 3 May.', 'medical'),
])
def test_requests_found_in_many_phrasings(reviewer_instance, tmp_path, text, category):
    """A request is found however it is put: "written to", "applied for", "taken for examination",
    or only by a status word ("GP records - awaited", "Social services records: received")."""
    r = review_text(reviewer_instance, tmp_path, HEADER_TITLED + text + "\n")
    assert category in [x["category"] for x in r.tpm_requests]


DELAYED = ("MG3 PRE-CHARGE REPORT\nSuspect: Mr Gareth PLUMMER\nComplainant: Ms Nadia OKONJO\n"
           "The offence was reported to police on 2 January 2024.\nThis file was submitted to the CPS on 1 August 2024.\n")


@pytest.mark.parametrize("text,expected", [
    ('Submission has taken longer than expected because the forensic results took five months.', 'met'),
    ('The reason for the delay is that the suspect was abroad until May and could not be interviewed.', 'met'),
    ('Apologies for the time this has taken.', 'missing'),
    ("The investigation was delayed by staff shortages and the OIC's absence on long-term sick leave.", 'met'),
    ('Timeliness: the case exceeded the target because we were waiting for the phone download (received 10/07/2024).', 'met'),
    ('', 'missing'),
])
def test_delay_explanations(reviewer_instance, tmp_path, text, expected):
    """212 days from report to submission: explained by a cause (backlog, absence, results awaited),
    not by an apology."""
    r = review_text(reviewer_instance, tmp_path, DELAYED + text + "\n")
    assert status(r, "delay_explained") == expected


@pytest.mark.parametrize("body,expected", [
    # what is written under a heading is its line of enquiry, in whatever words
    ("He asked the barman to make her vodkas doubles without telling her and kept her away from her friends.", "met"),
    ("None identified.", "missing"),
    ("Nil.", "missing"),
    ("Not yet analysed - awaiting his phone download.", "outstanding"),
    ("To be reviewed once the call data is returned.", "outstanding"),
])
def test_heading_body(reviewer_instance, tmp_path, body, expected):
    text = HEADER + "Suspect's conduct before the offence\n" + body + "\nDisclosure\nMG6C attached.\n"
    r = review_text(reviewer_instance, tmp_path, text)
    assert status(r, "pre_offence_conduct") == expected


def test_heading_without_body_is_no_evidence(reviewer_instance, tmp_path):
    text = HEADER + "Post-offence conduct\nDisclosure\nMG6C attached.\n"
    r = review_text(reviewer_instance, tmp_path, text)
    assert status(r, "post_offence_conduct") == "missing"


def test_heading_body_negated_in_prose(reviewer_instance, tmp_path):
    text = HEADER + "Suspect's account\nThe male has not been arrested or spoken to and what he says is unknown.\n"
    r = review_text(reviewer_instance, tmp_path, text)
    assert status(r, "suspect_account") == "missing"


def test_tpm_section_holder_is_a_request(reviewer_instance, tmp_path):
    text = HEADER + ("Third party material\n"
                     "Riverside Walk-in Centre: the triage notes of her attendance on 3 May only.\n"
                     "Line of enquiry: the notes record injuries seen within hours of the assault.\n"
                     "Disclosure\nMG6C attached.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    cats = [t["category"] for t in r.tpm_requests]
    assert cats == ["medical"], r.tpm_requests


@pytest.mark.parametrize("line", [
    "Counselling: she has begun sessions with the local rape crisis centre.",
    "She is seeing a counsellor; those notes have not been sought and will not be.",
])
def test_tpm_section_mention_without_a_request(reviewer_instance, tmp_path, line):
    text = HEADER + "Third party material\n" + line + "\nDisclosure\nMG6C attached.\n"
    r = review_text(reviewer_instance, tmp_path, text)
    assert not [t for t in r.tpm_requests if t["category"] == "counselling"], r.tpm_requests



def test_no_other_material_sought(reviewer_instance, tmp_path):
    text = HEADER + "No other third-party material (medical, social care, education, employer) has been sought.\n"
    r = review_text(reviewer_instance, tmp_path, text)
    assert r.tpm_requests == []


@pytest.mark.parametrize("heading,body,item,expected", [
    ("Disclosure management document", "Not begun - the OIC has had no time.", "disclosure_management_document", "missing"),
    ("MG6D", "Awaiting the disclosure officer's review.", "mg6d_schedule", "outstanding"),
    ("Special measures", "Screens and a live link were agreed with her at the MG2 meeting.", "special_measures", "met"),
    ("Special measures", "Registered intermediary assessment booked for 3 June.", "special_measures", "outstanding"),
])
def test_heading_body_disclosure_and_measures(reviewer_instance, tmp_path, heading, body, item, expected):
    assert_item(reviewer_instance, tmp_path, HEADER + heading + "\n" + body + "\nNext steps\nNone.\n", item, expected)


@pytest.mark.parametrize("text,categories", [
    # a check with a nil result is no request for her records
    ("Children's Services and LADO checks: no trace.", []),
    # terse requests
    ("Update 03/03: GP request sent.", ["medical"]),
    ("I have put in a request to Nadia's GP for her notes from last year.", ["medical"]),
    ("IP phone to be collected tomorrow for a full download.", ["complainant_device"]),
    # a device near a party's name is not that party's device; named with its owner it is
    ("The WhatsApp chat with the complainant was deleted on the handset and recovered by the DFU.", []),
    ("Messages between the complainant and her sister were examined on the sister's handset.", []),
    ("Nadia OKONJO's phone was examined under a DPN limited to the night in question.", ["complainant_device"]),
    ("The phone belonging to the complainant was examined under a DPN.", ["complainant_device"]),
    # what would have been done had it been needed was not done
    ("Had Nadia's phone been needed for the investigation, a DPN would have been explained and served first.", []),
    # a sentence that says her phone was not sought asks for it nowhere in itself; "the
    # download" named after her phone is one spoken of before, not a download of it
    ("Nadia's phone was not sought; this will be looked at again if an issue arises that only her phone could answer.", []),
    ("The same messages appear on Nadia's phone, and her screenshots match the download.", []),
    # a heading over lines that refuse the asking itself
    ("Nadia's phone\nNot sought - nothing is being asked of her, so no DPN has been given.\nCell site\nRequested 15/10.", []),
    # screenshots she gave from her phone are not her phone
    ("Nadia sent screenshots of the chat from her phone to DC FROST on 3 May (exhibit AF/2).", []),
    # holders as officers write them, and asking with a word between
    ("We have also asked Northfold Childrens Services for the 2015 referral only, as Nadia says she told a social worker then.", ["social_care"]),
    ("The Minor Injuries Unit at Castlegate was asked for the triage note of 4 May only, as it records the bruising.", ["medical"]),
    ("Request sent to the academy for Nadia's CPOMS entries for May 2024 only, to see whether she told staff.", ["education"]),
])
def test_requests_found(reviewer_instance, tmp_path, text, categories):
    r = review_text(reviewer_instance, tmp_path, HEADER + text + "\n")
    assert [t["category"] for t in r.tpm_requests] == categories, r.tpm_requests



def test_purpose_is_a_reason(reviewer_instance, tmp_path):
    text = HEADER + ("Attendance records were requested from the academy for 14/02/2025 only, to fix whether "
                     "Nadia was in school that afternoon; she was told in writing what was asked for and why.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    assert requests(r, "assessment") == [("education", "justified")], r.tpm_requests


NONAMES = "OFFICER REPORT - RASSO early advice\n"


@pytest.mark.parametrize("text,item,expected", [
    # whose claim a test is about: the possessive in it, not a party named after it
    (NONAMES + "The taxi driver was traced to test his version that she was laughing in the cab.\n", "suspect_account_tested", "met"),
    (NONAMES + "Bar receipts obtained to check his account that she bought her own drinks.\n", "suspect_account_tested", "met"),
    # what a claim says is no negation or request of the enquiry that tests it
    (NONAMES + "The shift rota was obtained to test his claim that it never happened on a weekday.\n", "suspect_account_tested", "met"),
    # the parties named in the running text, not in a header
    ("OIC update\nThe complainant Ffion LLOYD met the suspect Dylan MORGAN at the bus station. MORGAN bought her three double vodkas at the Feathers (till roll seized).\n", "pre_offence_conduct", "met"),
    ("Case notes\n- Susp: Dylan \"Dyl\" MORGAN, 31.\n- IP: Ffion LLOYD, 19.\nDyl bought her three double vodkas at the Feathers (till roll seized).\n", "pre_offence_conduct", "met"),
    # ", not a chance meeting" sets something else against what came before
    (HEADER + "Our case is that the door camera shows him watching her all night, not a chance meeting at the rank.\n", "pre_offence_conduct", "met"),
    # a "he" the file never ties to a party leads the clause of his conduct
    (NONAMES + "The landlord's CCTV shows that he bought her four double vodkas in under an hour.\n", "pre_offence_conduct", "met"),
    # a short sentence with a full stop says something happened
    (HEADER + "Interview\n- Susp denies.\n", "suspect_account", "met"),
    # a later clause that speaks of it by a pronoun gives it its status; one naming work of its own does not
    (HEADER + "The corner shop has CCTV but we haven't requested it yet.\n", "independent_corroboration", "missing"),
    (HEADER + "There is a Ring camera at number 12; this has not been looked at.\n", "independent_corroboration", "missing"),
    (HEADER + "The taxi rank CCTV was viewed and shows them together, but it does not cover the alley.\n", "independent_corroboration", "met"),
    # a document waiting for someone's agreement is not yet done
    (HEADER + "DMD: drafted, to be agreed with the reviewing lawyer.\n", "disclosure_management_document", "outstanding"),
    (HEADER + "The DMD is written and is with the DI for sign-off.\n", "disclosure_management_document", "outstanding"),
    # work put off with an excuse is not a line considered and closed
    (HEADER + "Intelligence checks have not been done yet as he is well known locally.\n", "suspect_intelligence", "missing"),
    # an ISVA referral and the suspect's interview are owed whatever reason is given
    (HEADER + "No ISVA referral was made as she seemed to be coping well.\n", "isva_referral", "missing"),
    (HEADER + "The suspect has not been interviewed as he is working in Dubai.\n", "suspect_interview", "missing"),
    # a wanted suspect's status is stated; a sentence closing inside a bracket ends there
    (HEADER + "PLUMMER not yet traced - circulated as wanted on PNC 04/05/25.\n", "suspect_status", "met"),
    (HEADER + "(ID procedure to be decided if identity is in issue.) Status - RUI since 02/05/25.\n", "suspect_status", "met"),
    # questions put on consent count, whoever the words name
    (NONAMES + "Asked what he did to make sure she agreed, he replied that she kissed him back.\n", "consent_steps_explored", "met"),
    (NONAMES + "He was asked whether he checked she was awake; no comment.\n", "consent_steps_explored", "met"),
    (HEADER + "Interview 03/04 - Qs re consent put - NC.\n", "consent_steps_explored", "met"),
    # work given a target date after the submission is timetabled work still to come
    (HEADER + "Date of submission: 01/04/2025\nThe door supervisor will give his statement by video link; target 11/04/2025.\n", "outstanding_timetabled", "met"),
])
def test_session7_wording(reviewer_instance, tmp_path, text, item, expected):
    assert_item(reviewer_instance, tmp_path, text, item, expected)


def test_attending_is_no_request(reviewer_instance, tmp_path):
    r = review_text(reviewer_instance, tmp_path, HEADER + "Nadia attended counselling sessions at Bridge House in 2023.\n")
    assert [t for t in r.tpm_requests if t["category"] == "counselling"] == [], r.tpm_requests


@pytest.mark.parametrize("text", [
    # the date in the head of this report is the submission, not the first request it recalls
    "MG3A FURTHER REPORT TO CROWN PROSECUTOR\nSuspect: Gareth PLUMMER\nReport by: DC 4410 Amy FROST. Date: 21st July 2025.\n"
    "Our first request for early advice was submitted to the CPS on 16/04/2025.\n",
    "REPORT TO CPS - FURTHER SUBMISSION\nSuspect: Gareth PLUMMER\nDate of this report 21 July 2025\n"
    "The file was first sent to the CPS on 16 April 2025 and advice came back in May.\n",
])
def test_this_reports_date_is_the_submission(reviewer_instance, tmp_path, text):
    assert_date(reviewer_instance, tmp_path, text, "submitted", "2025-07-21")


@pytest.mark.parametrize("text,item,expected", [
    # body-worn video of her own first account is her first complaint, not corroboration of it
    (HEADER + "First account on BWV taken by PC 2231 at her home address.\n", "independent_corroboration", "missing"),
    (HEADER + "Initial acc captured on body worn, approx 12 mins.\n", "independent_corroboration", "missing"),
    (HEADER + "Initial acc captured on body worn, approx 12 mins.\n", "first_complaint", "met"),
    (HEADER + "BWV of the scene shows the bedroom door lock broken.\n", "independent_corroboration", "met"),
    # asking someone for footage is a request, however many words name who was asked
    (HEADER + "Emailed the landlord of the Railway Tavern (Mr Colin DENT) asking for any CCTV of the bar on the Saturday night.\n",
     "independent_corroboration", "outstanding"),
    (HEADER + "I asked the site manager at the depot yesterday for the gate camera footage.\n", "independent_corroboration", "outstanding"),
    # a sample from the crime scene is forensic work, not a scene examined for corroboration
    (HEADER + "Crime scene sample ref AB/1 - high vaginal swab, taken at SARC.\n", "independent_corroboration", "missing"),
    (HEADER + "Crime scene sample ref AB/1 - high vaginal swab, taken at SARC.\n", "forensic_medical", "met"),
    # still no result, chased: awaited, not refused; a result awaited in the line after the work
    (HEADER + "Still no swab results back from the lab, I have chased twice.\n", "forensic_medical", "outstanding"),
    (HEADER + "SARC - seen 30/09/25. Swabs taken. Results awaited, not recieved yet.\n", "forensic_medical", "outstanding"),
    # what should have been done was not done
    (HEADER + "She should have been taken to the SARC on the night - learning point for the attending officer.\n",
     "forensic_medical", "missing"),
    (HEADER + "His phone should have been seized at the voluntary interview.\n", "suspect_devices", "missing"),
    # a line whose value is a date after the submission is work due then
    (HEADER + "Date of submission: 01/10/2024\n• Lab results on the swabs - 15/11/24.\n", "forensic_medical", "outstanding"),
    (HEADER + "Date of submission: 01/10/2024\n• Lab results on the swabs - 15/09/24.\n", "forensic_medical", "met"),
    # a numbered question of a form takes its answer; an interview's questions are left alone
    (HEADER + "Q7. Has the suspect's phone been seized?\nA. No. Not seized.\n", "suspect_devices", "missing"),
    (HEADER + "Q7. Has the 999 call been obtained? A. Yes, audio downloaded 04/03.\n", "first_complaint", "met"),
    (HEADER + "Q7. Has the 999 call been obtained? A. Not yet, requested 04/03.\n", "first_complaint", "outstanding"),
    ("MG15 RECORD OF INTERVIEW\nQ: How did you know she was consenting?\nA: No comment.\n", "consent_steps_explored", "met"),
    # work not yet done, to be completed, or listed "when complete" is still to come
    (HEADER + "MG2 not yet done - meeting with Nadia and her ISVA about special measures booked 18/03/2025.\n",
     "special_measures", "outstanding"),
    (HEADER + "OIC to speak to Nadia and complete the MG2.\n", "special_measures", "outstanding"),
    (HEADER + "2 MG2 (when complete) / needs assessment - complainant's personal details\n", "special_measures", "outstanding"),
    (HEADER + "MG2 complete - screens and s.28 requested.\n", "special_measures", "met"),
    # a phone sent to the DFU is not yet examined; the DFU's report or return is the result
    (HEADER + "05/02 - Susp phone to DFU.\n", "suspect_devices", "outstanding"),
    (HEADER + "PLUMMER's iPhone 13 went to the DFU on 12/06/2025.\n", "suspect_devices", "outstanding"),
    (HEADER + "SU devices returned by DFU 20/01/2025 - nothing of note on them.\n", "suspect_devices", "met"),
    (HEADER + "PLUMMER's iPhone - DFU report received 04/04/2025, messages recovered.\n", "suspect_devices", "met"),
    # work that will be done, was cancelled, is to be tried again or comes later is not done
    (HEADER + "A needs assessment will be done at the ABE.\n", "abe_interview", "outstanding"),
    (HEADER + "24/1 - ABE cancelled, IP poorly.\n", "abe_interview", "outstanding"),
    (HEADER + "ABE - keep trying IP.\n", "abe_interview", "outstanding"),
    (HEADER + "ABE later.\n", "abe_interview", "outstanding"),
    (HEADER + "His messages to her, later deleted, were recovered from his phone by the DFU.\n", "suspect_communications", "met"),
    (HEADER + "An MG2 will be completed if the suspect is charged.\n", "special_measures", "missing"),
    # asking the CPS whether to arrest and interview is no interview
    (HEADER + "Advice sought - is there enough to proceed to arrest and interview?\n", "suspect_interview", "missing"),
    # research on the suspect put off, whatever the excuse, is not done
    (HEADER + "PLUMMER has not been researched further as the PNC check showed no convictions.\n", "suspect_intelligence", "missing"),
    # pending work is timetabled when any mention of it gives the date
    (HEADER + "Date of submission: 01/03/2025\nDisclosure: MG6C attached. MG6D to follow.\nOutstanding work:\n"
     "MG6D - DC 4410 - to be completed by 21/03/2025.\n", "outstanding_timetabled", "met"),
    (HEADER + "Date of submission: 01/03/2025\nDisclosure: MG6C attached. MG6D to follow.\n", "outstanding_timetabled", "missing"),
    # his conduct before the offence: following her, buying her drink, secrecy; not the assault itself
    (HEADER + "CCTV from the Co-op shows PLUMMER following the IP along Mill Lane.\n", "pre_offence_conduct", "met"),
    (HEADER + "The doorman saw PLUMMER walking about 15 metres behind her.\n", "pre_offence_conduct", "met"),
    (HEADER + "Witnesses say PLUMMER bought the complainant several shots at the bar.\n", "pre_offence_conduct", "met"),
    (HEADER + "PLUMMER told her it was their secret.\n", "pre_offence_conduct", "met"),
    (HEADER + "Nadia followed the signs to the station.\n", "pre_offence_conduct", "missing"),
    (HEADER + "PLUMMER tried to kiss her on the sofa and she pushed him away.\n", "pre_offence_conduct", "missing"),
    # a check of his side that found no contact with her is a nil result; strangers alone are not
    (HEADER + "PLUMMER's phone downloaded by DFU - no contact with the IP's number found.\n", "suspect_communications", "met"),
    (HEADER + "IP and suspect are strangers, no contact between them.\n", "suspect_communications", "missing"),
    # records none sought, or that hold nothing, and her phone 'not required' are no requests
    (HEADER + "Third party material (GP, counselling etc.) - none sought.\n", "tpm_reasons_stated", "not_applicable"),
    (HEADER + "Her GP and the college she attends hold nothing relevant to any issue in the case.\n", "tpm_reasons_stated", "not_applicable"),
    (HEADER + "IP phone | NOT REQUIRED - strangers, nothing on it goes to any issue\n", "complainant_device_lawful", "not_applicable"),
    # a file that says it has no plan has no record of its lines of enquiry
    (HEADER + "Enquiries:\n- CCTV Bridge St - viewed, nil.\n- PNC - no trace.\n- Taxi firm - records requested, awaited.\n"
     "There's no investigation plan as such, Sarge.\n", "rloe_recorded", "missing"),
    # records that place the parties in a non-recent case corroborate; writing for them is a request,
    # and work 'complete apart from' them is not complete
    (HEADER + "Electoral roll and council tax records obtained: PLUMMER lived at 4 Mill Lane 2004-2009.\n",
     "independent_corroboration", "met"),
    (HEADER + "I have written to Westshire Council on 2nd May for the tenancy records for 2005 to 2009.\n",
     "independent_corroboration", "outstanding"),
    (HEADER + "All enquiries are complete apart from the school trip records, requested 02/10/25.\n",
     "independent_corroboration", "outstanding"),
])
def test_session8_wording(reviewer_instance, tmp_path, text, item, expected):
    assert_item(reviewer_instance, tmp_path, text, item, expected)


SCATTERED_NOTES = (
    "OFFICER REPORT\nSuspect: Dean MORLEY. Complainant: Amy PRICE.\n"
    "Saw the IP at her flat on 3/2/25 and took the first account on BWV.\n"
    "PNC - no trace.\n"
    "She was upset and I gave her the leaflet and the ISVA number.\n"
    "Spoke to her sister on the phone, she will come in when she can.\n"
    "Shop CCTV - awaited.\n"
    "Mr MORLEY has not been seen yet as he is working away.\n"
    "His phone - seized on 5/2.\n"
    "Submitted 20/2/25.\n")


@pytest.mark.parametrize("plan,expected", [
    # a few status lines scattered through working notes are no record of the lines of enquiry
    ("", "missing"),
    # the same lines answering an earlier CPS action plan record where each line stands
    ("CPS EARLY ADVICE - ACTION PLAN\nAction 1: Obtain the shop CCTV.\nAction 2: Carry out PNC checks on the suspect.\n"
     "Action 3: Seize the suspect's phone.\n\n", "met"),
])
def test_scattered_status_lines_are_no_record(reviewer_instance, tmp_path, plan, expected):
    assert_item(reviewer_instance, tmp_path, plan + SCATTERED_NOTES, "rloe_recorded", expected)


TPM_SECTIONS = (
    "THIRD PARTY MATERIAL REQUESTS\n"
    "Request 1 - School records (sent 02/02/2025)\nTo: Head Teacher, Millbrook Academy.\n"
    "We ask only for the attendance register for 01/09/2024 to 20/12/2024, to test when Nadia says she missed lessons.\n"
    "Nadia was given a letter on 02/02/2025 explaining what was asked for and why.\n"
    "Request 2 - Children's Services (sent 03/02/2025)\nTo: Records Team, Westshire Children's Services.\n"
    "We ask only for the strategy meeting minutes of 12/12/2024, which record her first account.\n{notice}\n"
    "Request 3 - Counselling (sent 04/02/2025)\nTo: The Manager, Bridge Counselling.\n"
    "We ask only for the note of the session on 10/12/2024, when she first spoke of the assault.\n"
    "Nadia was given a letter on 04/02/2025 telling her of this request and why it is made.\n")


@pytest.mark.parametrize("notice,expected", [
    # a notice written under one request of a request document is not one for the next
    ("Nadia has not been told about this request yet.", [("education", True), ("social_care", False), ("counselling", True)]),
    ("Nadia was given a letter on 03/02/2025 about this request and why.", [("education", True), ("social_care", True), ("counselling", True)]),
])
def test_each_request_of_a_request_document_has_its_own_notice(reviewer_instance, tmp_path, notice, expected):
    r = review_text(reviewer_instance, tmp_path, HEADER + "PC 1234 report 01/03/2025.\n\f" + TPM_SECTIONS.format(notice=notice))
    assert requests(r, "victim_notified") == expected
    assert status(r, "tpm_victim_notified") == ("met" if all(n for _, n in expected) else "missing")


LETTERS = (
    "\fTHIRD PARTY MATERIAL\nTo: Records Team, Westshire Children's Services.\n"
    "We ask only for the strategy meeting minutes of 12/12/2024, which record her first account.\n"
    "To: Practice Manager, Elm Surgery.\nWe ask only for the GP note of 11/12/2024, when she told the doctor of the assault.\n"
    "\f{greeting}\nI have asked two organisations for records about you: Westshire Children's Services, for the minutes "
    "of the meeting in December, and your GP at Elm Surgery, for the note of your visit on 11/12/2024.\n"
    "They will be kept securely and only seen by me and the CPS.\nYours sincerely\nDC 4410 Amy FROST\n")


@pytest.mark.parametrize("greeting,expected", [
    # a letter to the complainant naming the records asked for is her notice of each of them
    ("Dear Nadia,", "met"),
    ("COPY - NOTICE TO NADIA OKONJO dated 13/01/2025", "met"),
    ("Dear Sir or Madam,", "missing"),
])
def test_a_letter_to_her_is_notice_of_what_it_names(reviewer_instance, tmp_path, greeting, expected):
    r = review_text(reviewer_instance, tmp_path, HEADER + LETTERS.format(greeting=greeting))
    assert status(r, "tpm_victim_notified") == expected, requests(r, "victim_notified")


def test_noticing_is_no_notice(reviewer_instance, tmp_path):
    r = review_text(reviewer_instance, tmp_path, HEADER + "\fREQUEST FOR THIRD PARTY MATERIAL\nTo: Records Team, Westshire Children's "
                    "Services.\nWe ask only for the minutes of the strategy meeting of 12/12/2024, which record her first account.\n"
                    "Her teacher noticed bruising on her arms that week.\n")
    assert requests(r, "victim_notified") == [("social_care", False)]


@pytest.mark.parametrize("text,expected", [
    # a school asked by its name is an education request; being its pupil is none
    ("A request was sent on 12/03/2025 to Millbrook High School for any welfare concern raised about Nadia in 2019.", [("education",)]),
    ("Nadia was a pupil at Millbrook High School until 2019.", []),
])
def test_a_school_by_name(reviewer_instance, tmp_path, text, expected):
    assert requests(review_text(reviewer_instance, tmp_path, HEADER + text + "\n")) == expected


def test_work_that_needs_doing_is_still_to_come(reviewer_instance, tmp_path):
    """"The check of his alibi with the gym still needs doing": not done, and wanted."""
    assert_item(reviewer_instance, tmp_path, HEADER + "He says he was at the gym. The check of his alibi with the gym still needs doing.\n",
                "suspect_account_tested", "outstanding")


@pytest.mark.parametrize("line,expected", [
    ("Intel research on PLUMMER: not started.", "missing"),
    ("Local intelligence checks - not commenced (workload).", "missing"),
    ("Intelligence research not yet started; FIB to complete by 30/05/2024.", "outstanding"),
])
def test_work_not_started(reviewer_instance, tmp_path, line, expected):
    """An action table's "not started" says the work was not done; "not yet started" that it
    is still to come, like "not yet requested"."""
    assert_item(reviewer_instance, tmp_path, HEADER + line + "\n", "suspect_intelligence", expected)


def test_request_letter_titled_to_its_holder(reviewer_instance, tmp_path):
    """A page headed by a letter to a record holder ("Letter 2 - 03/06/2024 - To: Practice
    Manager, Brookside Surgery") starts a third-party request of its own, not more of the
    interview record on the page before, so the records it asks for are the complainant's."""
    text = (HEADER + "RECORD OF TAPED INTERVIEW\nPLUMMER was interviewed on 1 June 2024 and denied the offence.\n"
            "\fKingsmere Police, Public Protection Unit\nLetter 2 - 03/06/2024 - To: Practice Manager, Brookside Surgery\n"
            "I request only the record of her attendance on 5 May 2024 for injuries to her wrist, because the suspect "
            "denies any force.\nNadia OKONJO has been told in writing of this request.\n")
    r = review_text(reviewer_instance, tmp_path, text)
    assert ("medical", True, True, True) in requests(r, "reason_stated", "scope_limited", "victim_notified")


@pytest.mark.parametrize("line,item,expected", [
    ("The PND check on PLUMMER is still o/s. DS REID has chased the FIB twice about it and hopes to have it back "
     "after the bank holiday weekend, when the analyst returns from leave.", "suspect_intelligence", "outstanding"),
    ("Niche and PND research on PLUMMER: requested 02/06, result o/s. The analyst has been moved to a murder "
     "enquiry and the sergeant has been asked to find somebody else to do it this week.", "suspect_intelligence", "outstanding"),
])
def test_slashed_abbreviation_ends_a_sentence(reviewer_instance, tmp_path, line, item, expected):
    """"o/s." at the end of a sentence: the full stop is not part of the abbreviation."""
    assert_item(reviewer_instance, tmp_path, HEADER + line + "\n", item, expected)


@pytest.mark.parametrize("line,expected", [
    ("Statement from Kim ABBOTT (mother) not taken as she saw nothing.", "not_done"),
    ("Statement from Kim ABBOTT (mother) not yet taken.", "outstanding"),
    ("Statement from Kim ABBOTT, mother, taken 04/06.", "obtained"),
])
def test_role_in_brackets_is_an_apposition(reviewer_instance, tmp_path, line, expected):
    """A role in brackets after a name ("Kim ABBOTT (mother)") names who she is; it does not
    start another clause, so the status after it speaks of the statement before it."""
    p = tmp_path / "case.txt"
    p.write_text(HEADER + line + "\n", encoding="utf-8")
    tagged = reviewer_instance.prepare(p).tagged
    assert [f.status for f in tagged.findings if f.label == "CAPTURE"] == [expected]


@pytest.mark.parametrize("line,expected", [
    ("Her 2019 caution for theft may be relied on by the defence; it is listed on the MG6C.", "met"),
    ("Possible undermining: the first account to her sister puts the time at 2am, the ABE at 1am.", "met"),
    ("Points against the prosecution case: the door was unlocked and she stayed until morning.", "met"),
    ("The gap between the two accounts could weaken our case; both are on the MG6C.", "met"),
    # a myth in the officer's reasoning is not a consideration of disclosure
    ("She went back to his flat, which the defence will say shows she was willing.", "missing"),
])
def test_undermining_material_in_officers_words(reviewer_instance, tmp_path, line, expected):
    """The officer flags material that helps the defence in words of his own ("may be relied on
    by the defence", "could weaken our case", "points against the prosecution case")."""
    assert_item(reviewer_instance, tmp_path, HEADER + line + "\n", "undermining_material", expected)
