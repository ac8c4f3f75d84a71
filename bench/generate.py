"""Deterministic generator of realistic, distinct news-wire articles for benchmarks.

Articles are built from a small template grammar: sentence templates hold many
independent slots (people, organisations, places, numbers, dates, quotes) and
inline alternatives ``[a|b|c]``, so templates repeat across articles while their
fillers do not. Two generated articles therefore share very few word 5-shingles
and are never near-duplicates of each other.

Each article is generated from its own ``random.Random`` seeded by
``(seed, index)``, so ``generate_articles(n, seed)[:k] == generate_articles(k, seed)``.

Usage::

    python bench/generate.py 2000 --out articles.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

MIN_WORDS = 200
MAX_WORDS = 1500

# --------------------------------------------------------------------------- pools


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    """
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Mark
Sandra Anthony Ashley Steven Emily Andrew Michelle Kevin Amanda Brian Melissa George
Rebecca Edward Laura Ryan Stephanie Jacob Rachel Gary Catherine Nicholas Heather Eric
Diana Jonathan Julia Olivia Ethan Lidia Chloe Lucas Amelia Oliver Isla Harry Freya
Hans Greta Jurgen Katrin Matthias Annika Stefan Ingrid Lars Sigrid Henrik Astrid Mikkel
Pierre Camille Antoine Elodie Julien Margaux Mathieu Sophie Thierry Amelie Luca Giulia
Marco Francesca Alessandro Chiara Matteo Valentina Carlos Lucia Javier Carmen Diego
Isabel Alejandro Pilar Mateo Gabriela Joao Ana Rafael Beatriz Tiago Mariana Piotr
Agnieszka Tomasz Katarzyna Jan Zofia Andrei Irina Dmitry Olga Sergei Natalia Mikhail
Yulia Oleksandr Oksana Taras Halyna Mehmet Ayse Emre Zeynep Ahmed Fatima Omar Layla
Youssef Nour Khalid Amira Hassan Rania Tariq Salma Ravi Priya Arjun Ananya Vikram
Deepa Rahul Kavita Sanjay Meera Wei Li Ming Xiaoyu Jun Hui Lei Fang Hiroshi Yuki
Takeshi Aiko Kenji Naoko Haruto Sakura Min-jun Ji-woo Seo-yeon Dong-hyun Nguyen Linh
Minh Thao Somchai Malee Budi Siti Rizal Dewi Chinedu Ngozi Emeka Adaeze Kwame Ama
Kofi Abena Tendai Nomvula Thabo Lerato Sipho Zanele Wanjiru Kamau Achieng Otieno
Abdi Hodan Tesfaye Meron Yonas Selam Moussa Aminata Ibrahima Fatou Mamadou Awa
Santiago Valeria Sebastian Camila Nicolas Daniela Facundo Florencia Ignacio Martina
Liam Aoife Cian Siobhan Ewan Morag Rhys Cerys Noah Maeve Elias Leonie Finn Malin
"""
)

LAST_NAMES = _words(
    """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
Lopez Gonzalez Wilson Anderson Taylor Moore Jackson Martin Lee Thompson White Harris
Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker
Nelson Carter Mitchell Perez Roberts Turner Phillips Campbell Parker Evans Edwards
Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Kelly
Howard Cox Ward Richardson Watson Brooks Wood Bennett Gray Hughes Price Sanders
Woo Perry Kelly Fischer Schneider Weber Wagner Becker Hoffmann Schulz Koch Richter
Klein Wolf Neumann Braun Zimmermann Kruger Hartmann Lange Dubois Lefebvre Moreau
Laurent Simon Michel Leroy Roux Fournier Girard Bonnet Rossi Russo Ferrari Esposito
Bianchi Romano Colombo Ricci Marino Greco Fernandez Sanchez Ramirez Torres Flores
Rivera Gomez Diaz Ortiz Morales Silva Santos Oliveira Souza Pereira Costa Almeida
Carvalho Nowak Kowalski Wisniewski Wojcik Kaminski Lewandowski Ivanov Petrov
Smirnov Kuznetsov Popov Sokolov Volkov Morozov Shevchenko Bondarenko Kovalenko
Tkachenko Yilmaz Kaya Demir Celik Sahin Ozturk Haddad Khoury Mansour Nasser Saleh
Aziz Rahman Hussain Khan Qureshi Siddiqui Patel Sharma Singh Gupta Reddy Iyer
Nair Menon Chatterjee Banerjee Wang Zhang Liu Chen Yang Huang Zhao Zhou Xu Sun
Tanaka Suzuki Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Kim Park Choi
Jung Kang Tran Pham Hoang Vu Srisai Wongsakul Santoso Wijaya Okafor Adeyemi Okonkwo
Eze Mensah Owusu Boateng Asante Moyo Dlamini Nkosi Ndlovu Mwangi Njoroge Odhiambo
Kiprop Tadesse Bekele Haile Diallo Traore Keita Ndiaye Fofana Cisse Castillo
Vargas Romero Herrera Medina Aguilar Murray O'Brien Byrne Doyle Fraser Macleod
Jenkins Lindqvist Johansson Nilsson Eriksson Hansen Larsen Virtanen Korhonen
"""
)

# (city, country, nationality adjective)
PLACES: list[tuple[str, str, str]] = [
    ("London", "Britain", "British"),
    ("Manchester", "Britain", "British"),
    ("Edinburgh", "Britain", "British"),
    ("Washington", "United States", "U.S."),
    ("New York", "United States", "U.S."),
    ("Chicago", "United States", "U.S."),
    ("Houston", "United States", "U.S."),
    ("Los Angeles", "United States", "U.S."),
    ("Miami", "United States", "U.S."),
    ("Ottawa", "Canada", "Canadian"),
    ("Toronto", "Canada", "Canadian"),
    ("Mexico City", "Mexico", "Mexican"),
    ("Monterrey", "Mexico", "Mexican"),
    ("Brasilia", "Brazil", "Brazilian"),
    ("Sao Paulo", "Brazil", "Brazilian"),
    ("Buenos Aires", "Argentina", "Argentine"),
    ("Santiago", "Chile", "Chilean"),
    ("Lima", "Peru", "Peruvian"),
    ("Bogota", "Colombia", "Colombian"),
    ("Paris", "France", "French"),
    ("Marseille", "France", "French"),
    ("Berlin", "Germany", "German"),
    ("Frankfurt", "Germany", "German"),
    ("Munich", "Germany", "German"),
    ("Madrid", "Spain", "Spanish"),
    ("Barcelona", "Spain", "Spanish"),
    ("Rome", "Italy", "Italian"),
    ("Milan", "Italy", "Italian"),
    ("Lisbon", "Portugal", "Portuguese"),
    ("Brussels", "Belgium", "Belgian"),
    ("Amsterdam", "Netherlands", "Dutch"),
    ("The Hague", "Netherlands", "Dutch"),
    ("Vienna", "Austria", "Austrian"),
    ("Zurich", "Switzerland", "Swiss"),
    ("Geneva", "Switzerland", "Swiss"),
    ("Stockholm", "Sweden", "Swedish"),
    ("Oslo", "Norway", "Norwegian"),
    ("Copenhagen", "Denmark", "Danish"),
    ("Helsinki", "Finland", "Finnish"),
    ("Warsaw", "Poland", "Polish"),
    ("Prague", "Czech Republic", "Czech"),
    ("Budapest", "Hungary", "Hungarian"),
    ("Bucharest", "Romania", "Romanian"),
    ("Athens", "Greece", "Greek"),
    ("Kyiv", "Ukraine", "Ukrainian"),
    ("Moscow", "Russia", "Russian"),
    ("Ankara", "Turkey", "Turkish"),
    ("Istanbul", "Turkey", "Turkish"),
    ("Cairo", "Egypt", "Egyptian"),
    ("Riyadh", "Saudi Arabia", "Saudi"),
    ("Dubai", "United Arab Emirates", "Emirati"),
    ("Doha", "Qatar", "Qatari"),
    ("Tehran", "Iran", "Iranian"),
    ("Baghdad", "Iraq", "Iraqi"),
    ("Jerusalem", "Israel", "Israeli"),
    ("Amman", "Jordan", "Jordanian"),
    ("Beirut", "Lebanon", "Lebanese"),
    ("Nairobi", "Kenya", "Kenyan"),
    ("Mombasa", "Kenya", "Kenyan"),
    ("Lagos", "Nigeria", "Nigerian"),
    ("Abuja", "Nigeria", "Nigerian"),
    ("Accra", "Ghana", "Ghanaian"),
    ("Dakar", "Senegal", "Senegalese"),
    ("Addis Ababa", "Ethiopia", "Ethiopian"),
    ("Johannesburg", "South Africa", "South African"),
    ("Cape Town", "South Africa", "South African"),
    ("Kinshasa", "Congo", "Congolese"),
    ("Kampala", "Uganda", "Ugandan"),
    ("Harare", "Zimbabwe", "Zimbabwean"),
    ("New Delhi", "India", "Indian"),
    ("Mumbai", "India", "Indian"),
    ("Bengaluru", "India", "Indian"),
    ("Karachi", "Pakistan", "Pakistani"),
    ("Islamabad", "Pakistan", "Pakistani"),
    ("Dhaka", "Bangladesh", "Bangladeshi"),
    ("Colombo", "Sri Lanka", "Sri Lankan"),
    ("Beijing", "China", "Chinese"),
    ("Shanghai", "China", "Chinese"),
    ("Shenzhen", "China", "Chinese"),
    ("Hong Kong", "China", "Hong Kong"),
    ("Taipei", "Taiwan", "Taiwanese"),
    ("Tokyo", "Japan", "Japanese"),
    ("Osaka", "Japan", "Japanese"),
    ("Seoul", "South Korea", "South Korean"),
    ("Singapore", "Singapore", "Singaporean"),
    ("Jakarta", "Indonesia", "Indonesian"),
    ("Kuala Lumpur", "Malaysia", "Malaysian"),
    ("Bangkok", "Thailand", "Thai"),
    ("Hanoi", "Vietnam", "Vietnamese"),
    ("Manila", "Philippines", "Philippine"),
    ("Sydney", "Australia", "Australian"),
    ("Melbourne", "Australia", "Australian"),
    ("Canberra", "Australia", "Australian"),
    ("Wellington", "New Zealand", "New Zealand"),
]

ORG_ROOTS = _words(
    """
Northgate Bluewater Meridian Halden Corvane Sterling Ashford Redwood Kestrel Ironbridge
Silverline Westmark Orion Pinnacle Granite Clearwater Harbor Summit Lakeshore Crestview
Evergreen Highfield Brightwater Foxhollow Larkspur Oakridge Stonehaven Amberley Caldera
Vantage Helix Quorra Zentara Novalis Arcturus Lumina Veridian Solenne Taurion Nexora
Cobalt Tessaro Brevik Valmont Kaldera Ostrava Marlow Rhinebeck Tidewater Falkner
Aurelian Belmonte Castellan Drummond Everton Fairhaven Glenmore Hawthorne Inverness
Juniper Kingsley Lindholm Montclair Norwood Oberlin Pemberton Quillon Rosendale
Saxony Thornbury Ulster Vireo Whitcombe Yarrow Zephyr Altamira Brisa Condor Duna
Estrela Fenix Girassol Horizonte Itaca Jacaranda Lotus Mekong Sakura Tanjung Zambezi
Kilimanjaro Savanna Sahel Baobab Atlas Andes Pampas Borealis Nordvik Fjordline
"""
)

ORG_KINDS: dict[str, list[str]] = {
    "economy": [
        "Bank",
        "Capital",
        "Securities",
        "Asset Management",
        "Investments",
        "Financial Group",
        "Partners",
        "Holdings",
        "Insurance",
    ],
    "politics": [
        "Institute",
        "Foundation",
        "Centre for Policy Studies",
        "Research Group",
        "Polling",
        "Strategies",
        "Public Affairs",
    ],
    "sport": ["United", "Rovers", "City", "Athletic", "Wanderers", "Olympic", "Rangers"],
    "tech": [
        "Labs",
        "Systems",
        "Technologies",
        "AI",
        "Robotics",
        "Networks",
        "Software",
        "Semiconductor",
        "Cloud",
        "Data",
    ],
    "weather": [
        "Insurance",
        "Reinsurance",
        "Risk Analytics",
        "Relief",
        "Water Authority",
        "Power Cooperative",
        "Logistics",
    ],
    "courts": [
        "LLP",
        "Law Group",
        "Legal",
        "Holdings",
        "Pharmaceuticals",
        "Media",
        "Construction",
        "Logistics",
    ],
    "energy": [
        "Energy",
        "Petroleum",
        "Power",
        "Renewables",
        "Gas",
        "Oil",
        "Utilities",
        "Solar",
        "Wind",
        "Grid",
    ],
}

INSTITUTIONS: dict[str, list[str]] = {
    "economy": [
        "the International Monetary Fund",
        "the World Bank",
        "the OECD",
        "the European Central Bank",
        "the Federal Reserve",
        "the Bank of England",
        "the Bank of Japan",
        "the national statistics office",
        "the finance ministry",
        "the central bank",
        "Moody's",
        "S&P Global",
        "Fitch Ratings",
    ],
    "politics": [
        "the European Commission",
        "the United Nations",
        "NATO",
        "the African Union",
        "the electoral commission",
        "parliament",
        "the Senate",
        "the upper house",
        "the foreign ministry",
        "the presidential office",
        "the G20",
        "ASEAN",
    ],
    "sport": [
        "FIFA",
        "UEFA",
        "the International Olympic Committee",
        "World Athletics",
        "the ATP",
        "the WTA",
        "the International Cricket Council",
        "World Rugby",
        "the national federation",
        "the Court of Arbitration for Sport",
    ],
    "tech": [
        "the European Commission",
        "the Federal Trade Commission",
        "the data protection authority",
        "the competition regulator",
        "the telecoms regulator",
        "the commerce ministry",
        "the cyber security agency",
    ],
    "weather": [
        "the national weather service",
        "the meteorological agency",
        "the disaster management agency",
        "the Red Cross",
        "the United Nations",
        "the World Meteorological Organization",
        "the civil protection agency",
    ],
    "courts": [
        "the Supreme Court",
        "the appeals court",
        "the High Court",
        "the Justice Department",
        "the prosecutor's office",
        "the constitutional court",
        "the European Court of Human Rights",
        "the International Criminal Court",
    ],
    "energy": [
        "OPEC",
        "the International Energy Agency",
        "the energy ministry",
        "the grid operator",
        "the energy regulator",
        "the U.S. Energy Information Administration",
    ],
}

TOPICS = ["economy", "politics", "sport", "tech", "weather", "courts", "energy"]

SECTIONS = {
    "economy": "business",
    "politics": "world",
    "sport": "sports",
    "tech": "technology",
    "weather": "world",
    "courts": "legal",
    "energy": "business/energy",
}

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
AP_MONTHS = [
    "Jan.",
    "Feb.",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# outlet -> (domain, agency written in dateline)
OUTLETS: list[tuple[str, str, str]] = [
    ("Reuters", "www.reuters.com", "Reuters"),
    ("Reuters", "www.reuters.com", "Reuters"),
    ("Associated Press", "apnews.com", "AP"),
    ("Associated Press", "apnews.com", "AP"),
    ("AFP", "www.afp.com", "AFP"),
    ("Kyodo News", "english.kyodonews.net", "Kyodo"),
    ("The Daily Courier", "www.dailycourier-news.com", "Reuters"),
    ("Metro Ledger", "metroledger.example.org", "AP"),
    ("Global Times Wire", "wire.globaltimes-online.net", "AFP"),
    ("Business Standard Wire", "bizwire.standard-news.net", "Reuters"),
]

# ------------------------------------------------------------------ vocabularies

VOCAB: dict[str, list[str]] = {
    # generic
    "official": [
        "officials",
        "government sources",
        "diplomats",
        "people familiar with the matter",
        "two sources",
        "a senior official",
        "local authorities",
        "aides",
    ],
    "said_verb": [
        "said",
        "told reporters",
        "said in a statement",
        "told a news conference",
        "added",
        "said on {weekday}",
        "wrote on social media",
        "told {outlet}",
    ],
    "outlet": [
        "Reuters",
        "The Associated Press",
        "AFP",
        "local media",
        "state television",
        "a local radio station",
        "the BBC",
        "Bloomberg",
    ],
    "when": [
        "on {weekday}",
        "last week",
        "earlier this month",
        "in {month}",
        "late on {weekday}",
        "over the weekend",
        "this year",
        "in {year}",
        "in {month} {year}",
        "on {month} {day}",
    ],
    "opener": [
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "Meanwhile, ",
        "Separately, ",
        "On {weekday}, ",
        "Earlier, ",
        "In {month}, ",
        "Still, ",
        "However, ",
        "At the same time, ",
        "Last year, ",
        "According to {inst}, ",
        "By contrast, ",
        "In a statement, ",
    ],
    "degree": ["sharply", "slightly", "modestly", "steeply", "marginally", "significantly"],
    "rise": ["rose", "climbed", "jumped", "increased", "edged up", "surged", "grew"],
    "fall": ["fell", "dropped", "slipped", "declined", "slumped", "eased", "contracted"],
    "concern": ["concerns", "worries", "fears", "uncertainty", "questions", "doubts"],
    "important": ["key", "crucial", "critical", "major", "significant", "pivotal"],
    "adj_period": [
        "the highest",
        "the lowest",
        "the fastest",
        "the slowest",
        "the biggest",
        "the smallest",
        "the weakest",
        "the strongest",
    ],
    # economy
    "indicator": [
        "inflation",
        "retail sales",
        "industrial output",
        "unemployment",
        "consumer confidence",
        "factory activity",
        "exports",
        "imports",
        "housing starts",
        "wage growth",
        "core inflation",
        "business investment",
        "household spending",
        "the trade surplus",
        "the current account deficit",
        "producer prices",
        "services activity",
        "bank lending",
    ],
    "econ_actor": [
        "the central bank",
        "policymakers",
        "the finance ministry",
        "economists",
        "investors",
        "traders",
        "bond markets",
        "rating agencies",
    ],
    "econ_move": [
        "raise interest rates",
        "cut interest rates",
        "hold rates steady",
        "tighten policy further",
        "ease policy",
        "end its bond purchases",
        "intervene in the currency market",
        "revise its growth forecast",
    ],
    "market": [
        "the benchmark stock index",
        "the currency",
        "government bond yields",
        "the blue-chip index",
        "the main share index",
        "two-year yields",
        "the yen",
        "the euro",
        "the dollar",
        "emerging-market stocks",
    ],
    # politics
    "pol_thing": [
        "a bill",
        "the budget",
        "a constitutional amendment",
        "an electoral reform",
        "a migration package",
        "a security pact",
        "a trade agreement",
        "a no-confidence motion",
        "a pension overhaul",
        "a ceasefire proposal",
        "a judicial reform",
        "a climate law",
        "a defence spending plan",
    ],
    "pol_body": [
        "parliament",
        "the lower house",
        "the Senate",
        "the cabinet",
        "lawmakers",
        "the ruling coalition",
        "opposition parties",
        "the national assembly",
        "the upper house",
    ],
    "party": [
        "the ruling {adj_word} Party",
        "the opposition {adj_word} Alliance",
        "the centre-right {adj_word} Union",
        "the left-wing {adj_word} Front",
        "the {adj_word} Democratic Party",
        "the nationalist {adj_word} Movement",
        "the liberal {adj_word} Coalition",
        "the Greens",
    ],
    "adj_word": [
        "National",
        "Popular",
        "Progressive",
        "Civic",
        "Republican",
        "Social",
        "People's",
        "Renewal",
        "Unity",
        "Freedom",
        "Democratic",
        "Labour",
    ],
    "pol_role": [
        "the foreign minister",
        "the interior minister",
        "the prime minister",
        "the president",
        "the defence minister",
        "the speaker of parliament",
        "the opposition leader",
        "a senior lawmaker",
        "the chief negotiator",
        "the government spokesperson",
        "the deputy prime minister",
    ],
    # sport
    "competition": [
        "the Champions League",
        "the Premier League",
        "La Liga",
        "Serie A",
        "the Bundesliga",
        "the World Cup qualifiers",
        "the Africa Cup of Nations",
        "the Copa America",
        "the Six Nations",
        "the Australian Open",
        "Wimbledon",
        "the U.S. Open",
        "the Tour de France",
        "the Olympics",
        "the Cricket World Cup",
        "the Asian Games",
        "the Diamond League",
        "the French Open",
        "the Rugby Championship",
        "the Euroleague",
    ],
    "sport_event": [
        "final",
        "semi-final",
        "quarter-final",
        "opening match",
        "derby",
        "group-stage game",
        "title decider",
        "second leg",
        "stage",
        "qualifier",
    ],
    "sport_role": [
        "the coach",
        "the captain",
        "the manager",
        "the head coach",
        "the team's sporting director",
        "the goalkeeper",
        "the striker",
        "the defending champion",
        "the world number {small}",
        "the veteran midfielder",
        "the club president",
    ],
    "injury": [
        "a hamstring injury",
        "a knee injury",
        "an ankle problem",
        "a calf strain",
        "a suspected concussion",
        "a groin injury",
        "a shoulder knock",
    ],
    "sport_thing": [
        "a hamstring injury",
        "a knee injury",
        "a red card",
        "a late penalty",
        "a stoppage-time winner",
        "a hat-trick",
        "a stunning comeback",
        "a tiebreak",
        "a disputed VAR decision",
        "a record time",
        "a personal best",
        "a five-set thriller",
    ],
    # tech
    "tech_thing": [
        "an artificial intelligence model",
        "a chatbot",
        "a smartphone",
        "a chip plant",
        "a data centre",
        "a satellite internet service",
        "a cloud computing contract",
        "a cybersecurity tool",
        "a self-driving taxi service",
        "a payments app",
        "a quantum processor",
        "a semiconductor factory",
        "a social media platform",
        "a browser",
    ],
    "tech_issue": [
        "a data breach",
        "an antitrust probe",
        "an outage",
        "a ransomware attack",
        "privacy complaints",
        "export controls",
        "a patent dispute",
        "a content moderation row",
        "a chip shortage",
        "a software bug",
        "layoffs",
        "a shareholder lawsuit",
    ],
    "tech_role": [
        "the chief executive",
        "the chief technology officer",
        "a senior engineer",
        "the head of research",
        "the founder",
        "a cybersecurity researcher",
        "an industry analyst",
        "the digital minister",
        "a company spokesperson",
        "the chief financial officer",
    ],
    # weather
    "storm": [
        "Storm {first}",
        "Cyclone {first}",
        "Typhoon {first}",
        "Hurricane {first}",
        "Tropical Storm {first}",
        "a powerful storm",
        "torrential rain",
        "a heatwave",
        "a cold snap",
        "flash floods",
        "a prolonged drought",
        "wildfires",
        "heavy snowfall",
        "a landslide",
    ],
    "wx_effect": [
        "homes",
        "roads",
        "bridges",
        "power lines",
        "crops",
        "schools",
        "rail services",
        "flights",
        "farms",
        "hospitals",
        "water supplies",
    ],
    "wx_role": [
        "the head of the disaster agency",
        "a regional governor",
        "a meteorologist",
        "the mayor",
        "an emergency services spokesperson",
        "a local farmer",
        "a resident",
        "the civil defence chief",
        "a climate scientist",
        "a shelter volunteer",
    ],
    # courts
    "charge": [
        "fraud",
        "bribery",
        "money laundering",
        "tax evasion",
        "corruption",
        "insider trading",
        "manslaughter",
        "embezzlement",
        "obstruction of justice",
        "breach of trust",
        "abuse of office",
        "espionage",
        "defamation",
    ],
    "court_body": [
        "the court",
        "the judge",
        "a three-judge panel",
        "the jury",
        "the tribunal",
        "the appeals court",
        "the supreme court",
        "a district court",
        "the constitutional court",
    ],
    "court_role": [
        "the presiding judge",
        "a defence lawyer",
        "the lead prosecutor",
        "the attorney general",
        "a legal scholar",
        "the plaintiffs' lawyer",
        "the justice minister",
        "a court spokesperson",
        "the defendant's lawyer",
    ],
    # energy
    "fuel": [
        "crude oil",
        "natural gas",
        "liquefied natural gas",
        "coal",
        "diesel",
        "jet fuel",
        "electricity",
        "hydrogen",
        "gasoline",
        "uranium",
    ],
    "energy_asset": [
        "a refinery",
        "an offshore wind farm",
        "a gas pipeline",
        "a solar park",
        "a nuclear reactor",
        "an LNG terminal",
        "an oilfield",
        "a battery storage site",
        "a hydro dam",
        "a coal-fired plant",
        "a transmission line",
    ],
    "energy_role": [
        "the energy minister",
        "the oil minister",
        "an oil analyst",
        "the head of commodities research",
        "the utility's chief executive",
        "a trader",
        "the grid operator's director",
        "an OPEC delegate",
        "a gas market analyst",
        "the climate envoy",
    ],
}

# ------------------------------------------------------------------ quotes

QUOTES: dict[str, list[str]] = {
    "generic": [
        "[We|The government|Our team|Everyone here] [will|must|cannot afford to] "
        "[move quickly|look at every option|wait and see|stay focused] on {issue}",
        "This is [not the time|the moment|a real opportunity] to [talk about|rethink|deal with] "
        "{issue}",
        "[Nobody|No one] [expected|predicted|was ready for] {issue} to [move|escalate|change] "
        "this [fast|quickly|much]",
        "[I think|I believe|Frankly,] the [numbers|facts|results] [speak|speak for themselves|"
        "tell the story] [here|this {period}]",
        "[We have|There is] [a lot of|much|still some] work [to do|ahead] before {month}",
        "[People|Families|Businesses] in {city} [deserve|are asking for|want] "
        "[answers|clarity|a plan] on {issue}",
        "It is [too early|premature|hard] to say [what|how much] {issue} will [cost|mean]",
        "[Our position|The plan|The message] has [not changed|been clear] [since|from] {month}",
    ],
    "economy": [
        "{indicator} is [still|clearly|probably] [too high|moving in the right direction|"
        "the big concern] for {econ_actor}",
        "[We|Markets] now [expect|price in|see] [one|two|three] more [cuts|hikes] "
        "[before|by] {month}",
        "The [data|report|figure] [confirms|suggests|shows] [a soft landing|a slowdown|"
        "real resilience] in {country}",
        "[Inflation|Demand|Growth] [should|will likely|may] [ease|pick up|stall] "
        "in the [second|third|fourth] quarter",
    ],
    "politics": [
        "[This|The] {pol_thing_bare} [is|will be] [a test of|good for|a turning point for] "
        "{country}",
        "[We|My party] will [not support|vote against|back] [this|the] [text|proposal|deal] "
        "[unless|if] [it changes|it is amended|voters are consulted]",
        "The [opposition|government|coalition] [is|has been] [playing politics|"
        "negotiating in good faith|out of touch] [for months|since {month}]",
        "[Talks|Negotiations] with {country} [will continue|are at a delicate stage|"
        "have not collapsed]",
    ],
    "sport": [
        "[We|The lads|The girls|The team] [showed|had|found] [real character|great spirit|"
        "enough quality] [today|tonight|in the second half]",
        "[I|We] [did not|didn't] [play well|start well|deserve to lose] but [we|I] "
        "[kept going|never gave up|found a way]",
        "[It's|It is] [a dream|a special moment|a huge result] [for|for everyone at] {sport_org}",
        "[Now|From here] we [focus on|turn to|prepare for] the {sport_event} "
        "[against|with] {sport_org}",
    ],
    "tech": [
        "[Our|The] [customers|users|partners] [trust us|expect more|want control] "
        "[with|over] their [data|privacy|accounts]",
        "[This|The] {tech_thing_bare} [will|could] [change|reshape|transform] "
        "[how people work|the industry|the market]",
        "[We are|The company is] [cooperating fully|working closely] with {inst}",
        "[Regulators|Lawmakers|Investors] [are|have been] [slow|right|wrong] "
        "[to act|to worry|about the risks]",
    ],
    "weather": [
        "[The water|The wind|The fire] [came|moved|spread] [so fast|overnight|without warning] "
        "[we|people] [could not|had no time to] [leave|save anything|react]",
        "[We|Rescue teams] are [still searching|working around the clock|doing everything] "
        "[for the missing|in {city}|to reach villages]",
        "[This|It] is the [worst|heaviest|hottest] [season|storm|flooding] "
        "[I have seen|on record|in decades]",
        "[Residents|Everyone] should [stay indoors|follow evacuation orders|"
        "avoid travel] until {weekday}",
    ],
    "courts": [
        "[My client|The defendant|He|She] [will appeal|maintains [his|her] innocence|"
        "rejects every charge]",
        "[The verdict|This ruling|Today's decision] [sends a clear message|sets a precedent|"
        "is a victory] for [victims|the rule of law|taxpayers]",
        "[The court|The judge] [ignored|failed to weigh|carefully examined] "
        "[the evidence|key testimony|the documents]",
        "[Nobody|No one] is above the law, [not even|including] {person_bare}",
    ],
    "energy": [
        "[Supply|Demand|The market] [remains|looks] [tight|fragile|well balanced] "
        "[into|through] [the winter|the summer|next year]",
        "[Prices|Bills] [will|could|should] [stay high|come down|stabilise] "
        "[for households|for industry|by {month}]",
        "{energy_asset_bare} [is|will be] [key to|part of|central to] our "
        "[transition|energy security|export plans]",
        "[We|Producers] [are|remain] [ready to|prepared to|unlikely to] "
        "[act|adjust output|add supply] [if needed|this {period}]",
    ],
}

# ------------------------------------------------------------------ sentences

# Lede sentences: must open the story.
LEDES: dict[str, list[str]] = {
    "economy": [
        "{country_adj} {indicator} {rise} {degree} in {month}, {when2} data showed, "
        "[adding to|easing] pressure on {econ_actor} to {econ_move}.",
        "{econ_actor_cap} in {country} [are expected to|are set to|may] {econ_move} "
        "[at their next meeting|this month|on {weekday}] after {indicator} "
        "[came in|printed] at {pct}.",
        "{org} [cut|raised] its forecast for {country_adj} growth to {chg} "
        "[on {weekday}|this week], citing {indicator} and {concern} over {issue}.",
    ],
    "politics": [
        "{pol_body_cap} in {country} [approved|rejected|narrowly passed|delayed a vote on] "
        "{pol_thing} {when}, [handing|dealing] {lead_full}, {lead_role}, "
        "a [major|rare|symbolic] [victory|setback].",
        "{lead_full}, {lead_role} of {country}, [arrived in|travelled to|met counterparts in] "
        "{city2} {when} for talks on {pol_thing}, [officials said|{official} said].",
        "Thousands of [protesters|demonstrators|supporters] [marched|rallied|gathered] in "
        "{city} {when} [against|in support of] {pol_thing} [backed|proposed] by "
        "{lead_full}, {lead_role}.",
    ],
    "sport": [
        "{team} [beat|edged|thrashed|stunned|overcame] {team2} {score} in {competition} "
        "{when}, with {lead_full} [scoring twice|starring|making the difference|"
        "conceding late] in {city}.",
        "{lead_full} [won|clinched|claimed|retained] the [title|crown|gold medal|trophy] "
        "at {competition} {when}, [beating|outlasting|edging] {person_bare} in "
        "[a tense|a one-sided|an epic] {sport_event}.",
        "{team} [sacked|appointed|parted ways with] {lead_full} as {sport_role} {when} "
        "after [a run of|a string of|only] {small} [defeats|wins|games] in {competition}.",
    ],
    "tech": [
        "{org} [unveiled|launched|delayed|scrapped] {tech_thing} {when}, "
        "[betting|hoping] it can [win back|lure|reassure] [customers|advertisers|investors] "
        "[amid|despite] {tech_issue}.",
        "{inst_cap} [opened|launched|widened] [an investigation|a probe|an inquiry] into "
        "{org} {when} over {tech_issue}, [the regulator|{official}] said.",
        "{org}, [the|a] [{city}-based|fast-growing|loss-making] [startup|chipmaker|"
        "software group], [raised|lost|wrote off] {money} {when} [as|after] {tech_issue} "
        "[hit|weighed on] [results|its valuation].",
    ],
    "weather": [
        "{storm_cap} [battered|swept through|struck|hit] {region} of {country} {when}, "
        "[killing|injuring|displacing] at least {small} people and [cutting power to|"
        "damaging] {big} {wx_effect}.",
        "[Emergency crews|Rescue workers|Soldiers] in {country} [searched|worked|dug] "
        "through [mud|debris|flooded streets] {when} after {storm} [left|caused] "
        "{small} [dead|missing] near {city}.",
        "Temperatures [hit|reached|topped] {temp} in {city} {when}, "
        "[breaking|equalling|approaching] a record set in {year}, {inst} said.",
    ],
    "courts": [
        "A court in {city} [convicted|acquitted|sentenced|indicted] {lead_full}, "
        "{lead_role}, on {charge} charges {when}, [ending|capping|extending] "
        "a [long-running|closely watched|high-profile] case.",
        "{inst_cap} [ruled|decided|found] {when} that {org} [violated|did not violate|"
        "must answer for] [competition law|labour rules|consumer protection law], "
        "[ordering|sparing] [a fine of {money}|damages of {money}].",
        "Prosecutors in {country} [charged|questioned|raided the offices of] "
        "{lead_full}, {lead_role}, {when} [as part of|in] [a probe|an investigation] into "
        "{charge}.",
    ],
    "energy": [
        "[Oil prices|Brent crude|U.S. crude futures|European gas prices] {rise} {chg} "
        "{when} [as|after] {concern} over {issue} [mounted|grew|lingered], "
        "[with|and] Brent [at|near] {barrel} a barrel.",
        "{org} [approved|shelved|started building] {energy_asset} in {country} worth "
        "{money}, [the company|{official}] said {when}.",
        "{country} [will|plans to|said it would] [boost|cut|cap] {fuel} "
        "[output|imports|exports] by {pct} [from {month}|next year|by {year}], "
        "{lead_full}, {lead_role}, said {when}.",
    ],
}

BODY: dict[str, list[str]] = {
    "generic": [
        "{opener}{oq}{quote},{cq} {said_verb_pre} {speaker}.",
        "{opener}{oq}{quote},{cq} {speaker}, {said_verb}.",
        "{speaker_subj} {said_verb} that {clause}.",
        "{opener}{oq}{quote}.{cq}",
        "{opener}{oq}{quote},{cq} {lead_ref} {said_verb}. {oq}{quote}.{cq}",
        "{opener}{official_cap} [in|from] {city} [said|told {outlet}] {clause}, "
        "[speaking on condition of anonymity|without giving details|"
        "citing internal estimates].",
        "{opener}{lead_ref} [is due to|will|plans to] [travel to|visit|hold talks in] "
        "{city2} {when_future}, [according to|said] {inst}.",
        "{opener}[The figures|The comments|The move|The announcement] [came|arrived] "
        "[as|after|days before] {clause}.",
        "{opener}[Analysts|Observers|Critics|Supporters] [say|argue|note|warn] {clause}.",
        "{opener}{inst_cap} [estimated|said|reported] {when} that {clause}.",
        "[That|This] [compares with|is up from|is down from] {pct} {when}, "
        "[according to|data from] {inst}.",
        "{opener}[About|Nearly|More than|Roughly] {big} people [live|work|were affected] in "
        "[the area|{city}|the region], [according to|said] {inst}.",
        "{opener}{lead_ref} [did not respond|declined to comment|was not available] "
        "[when contacted by {outlet}|to a request for comment|on {weekday}].",
        "{opener}[A spokesperson|A representative|An official] for {org} [said|confirmed] "
        "{clause}.",
        "{opener}{issue_cap} [dominated|overshadowed|shaped] "
        "[the debate|headlines|talks] in {country} [in|for much of] {month}.",
        "{opener}[In|During] {month} {year}, {clause}.",
        "{opener}[Shares in|Bonds issued by|Stock in] {org} [were|traded] {chg} "
        "[higher|lower] [in {city}|by midday|at the close].",
        "{opener}[The|A] [report|survey|poll] by {org} [of|among] {big} "
        "[respondents|households|companies] [found|showed] {clause}.",
        "{opener}{speaker_subj} [called|labelled] [the decision|the figures|the outcome|it] "
        "{oq}[a wake-up call|deeply worrying|long overdue|a step forward|"
        "historic|disappointing]{cq}.",
        "{opener}[Details|Further details|The full terms] [were not|have not been] "
        "[disclosed|made public|released], [and|but] {clause}.",
        "{opener}[It was|That marked] the [first|second|third] [such case|such incident|time] "
        "[since|in] {year}, [when|after] {clause}.",
        "{opener}{lead_ref}, who [took office|was elected|was appointed|"
        "rose to prominence] in {year}, has [repeatedly|often|previously] said {clause}.",
    ],
    "economy": [
        "{opener}{indicator_cap} {rise} {chg} year-on-year in {month}, "
        "[beating|missing|matching] [a Reuters poll forecast|economists' expectations|"
        "the consensus] of {pct}.",
        "{opener}{market_cap} {fall} {chg} [to|towards] {level} [after the data|"
        "in early trade|by {time}].",
        "{opener}[the central bank|the monetary authority|the {country_adj} central bank] "
        "[kept|raised|lowered] its [benchmark|key|policy] rate "
        "[at|to] {pct} {when}, [its|the] {ordinal} [straight|consecutive] "
        "[hold|move|decision].",
        "{opener}[Growth|GDP|Output] in {country} [expanded|shrank] {pct} in the "
        "{quarter} quarter, {adj_period} [pace|reading] since {year}.",
        "{opener}[Government debt|The budget deficit|Public spending] [stands at|"
        "reached|is projected at] {pct} of [GDP|economic output], {inst} said.",
        "{opener}{org} [expects|forecasts|sees] {indicator} [peaking|bottoming out|"
        "stabilising] [around|near] {pct} by {month} {year}.",
        "{opener}[Companies|Retailers|Exporters|Manufacturers] in {city} [have|say they have] "
        "[cut|raised|frozen] [prices|hiring|investment] [because of|amid] {issue}.",
        "{opener}[The|Its] [currency|stock market|bond market] has [lost|gained] {chg} "
        "[this year|since {month}|against the dollar], [making it|leaving it] one of "
        "[the worst|the best] [performers|performing assets] in {region_any}.",
    ],
    "politics": [
        "{opener}{party_cap} [holds|won|needs] {small} of the {seats} seats in "
        "[parliament|the lower house|the national assembly], "
        "[according to|based on] [official results|the latest tally].",
        "{opener}[A poll|A survey|An opinion poll] by {org} [published|released] "
        "{when} [put|showed] support for {lead_ref} at {pct}, [down|up] from {pct}.",
        "{opener}{pol_body_cap} [is expected to|will|could] [vote on|debate|amend] "
        "{pol_thing} [before|by|in] {month}.",
        "{opener}{lead_ref} [has|had] [accused|criticised|praised] {party} [over|for] {issue}.",
        "{opener}[Relations between|Ties between] {country} and {country2} [have|had] "
        "[soured|improved|been strained] [since|over] {issue}.",
        "{opener}{speaker_subj} [said|warned|argued] that {pol_thing} [would|could|might] "
        "[cost|save|affect] [up to|about|more than] {money} [a year|over {small} years].",
        "{opener}[The|A] [election|referendum|run-off|leadership contest] [is|was] "
        "[scheduled|due|set] for {month} {year}, [with|and] turnout [expected|forecast] "
        "[at|near] {pct}.",
        "{opener}{country_adj} [diplomats|negotiators|envoys] [met|held talks with] "
        "[their|] {country2_adj} counterparts in {city2} to [discuss|resolve|revive] "
        "{issue}.",
    ],
    "sport": [
        "{opener}{lead_ref} [scored|netted|struck] in the {minute}th minute [before|after] "
        "{person_bare} [equalised|doubled the lead|was sent off].",
        "{opener}The result [leaves|lifts|drops] {team} [to|into] {ordinal} place, "
        "{small} points [behind|ahead of|clear of] {team2}.",
        "{opener}[A crowd of|Some|More than] {big} [fans|spectators|supporters] "
        "[watched|packed|filled] the [stadium|arena|ground] in {city}.",
        "{opener}{team} [have|had] [won|lost|drawn] {small} of their last {small2} "
        "[matches|games|outings] [in all competitions|at home|on the road].",
        "{opener}{person_bare} [limped off|was substituted|was stretchered off] "
        "[with|after] {injury} [before half-time|early in the second half].",
        "{opener}[The|Their] {sport_event} [against|with] {team2} [is|will be played] "
        "[on {weekday}|in {month}|next week] in {city2}.",
        "{opener}{lead_ref} [completed|finished|ran] [the course|the race|the stage] in "
        "{racetime}, [a|] [season's best|course record|personal best].",
        "{opener}[The club|The federation|Organisers] [said|confirmed] {clause}.",
    ],
    "tech": [
        "{opener}{org} [said|reported|posted] [quarterly revenue|annual sales|"
        "operating profit] of {money}, [up|down] {pct} [from a year earlier|year on year].",
        "{opener}[The|Its] {tech_thing_bare} [runs on|relies on|uses] [chips|models|"
        "software] [from|made by|developed with] {org}.",
        "{opener}{org} [plans to|will|has pledged to] [invest|spend] {money} on "
        "[data centres|research|chip production|AI infrastructure] in {country} "
        "[by|over the next {small} years|before] {year2}.",
        "{opener}[About|Nearly|More than] {big} [users|accounts|customers] [were|may have "
        "been] [affected|exposed|locked out] [by|during] {tech_issue}.",
        "{opener}{inst_cap} [could|may|can] [fine|order] {org} [up to|as much as] "
        "{pct} of [its|] global [turnover|revenue] [under|according to] "
        "[the new rules|competition law].",
        "{opener}{org} [employs|has|cut] [about|roughly|more than] {big} [people|staff|"
        "engineers] [worldwide|in {country}|across {small} countries].",
        "{opener}[Shares|The stock] of {org} [have|has] [doubled|tripled|halved|"
        "risen {chg}|fallen {chg}] [this year|since {month}|since its listing in {year}].",
        "{opener}{speaker_subj} [said|argued|warned] that {tech_issue} [showed|exposed|revealed] "
        "[weaknesses|gaps|flaws] in [the industry|oversight|its systems].",
    ],
    "weather": [
        "{opener}[Up to|More than|About] {rain} [of rain|of rainfall] [fell|was recorded] "
        "in {hours} hours in [parts of|the hills above|the centre of] {city}, {inst} said.",
        "{opener}[Wind gusts|Gusts|Sustained winds] of [up to|about] {wind} [were recorded|"
        "lashed the coast|hit the capital] {when}.",
        "{opener}[Authorities|Officials|The army] [evacuated|moved|relocated] {big} "
        "[people|residents|families] [to shelters|from low-lying areas|inland].",
        "{opener}[Around|About|More than] {big} {wx_effect} [were|remained] "
        "[damaged|destroyed|without power|closed] [as of|by|on] {weekday}.",
        "{opener}[Insurers|Analysts|{org}] [estimated|put] [insured losses|damage|"
        "the bill] at [up to|about|more than] {money}.",
        "{opener}{inst_cap} [issued|extended|lifted] a [red|orange|yellow] "
        "[warning|alert] for {small} [provinces|districts|counties|regions] "
        "[until|through] {weekday}.",
        "{opener}[Scientists|Climate researchers|Experts] [say|said|warn] "
        "[climate change|warmer seas|a strong El Nino] [is making|has made|could make] "
        "[such events|extreme weather|storms|heatwaves|floods] more [frequent|intense|"
        "likely].",
        "{opener}[Flights|Trains|Ferries] [from|to|between] {city} and {city2} [were|remain] "
        "[cancelled|suspended|delayed] [until|through] {weekday}.",
    ],
    "courts": [
        "{opener}{court_body_cap} [sentenced|ordered|fined] {lead_ref} [to|] "
        "[{small} years in prison|{small} months of house arrest|{money}] "
        "[on|for] {charge}.",
        "{opener}[Prosecutors|The prosecution|State lawyers] [had sought|argued for|"
        "asked for] [a sentence of|a term of|a fine of] [{small} years|{money}], "
        "[saying|arguing] {clause}.",
        "{opener}{lead_ref} [has denied|denies|has always denied] [any|all] wrongdoing "
        "and [plans to|is expected to|said {they} would] appeal.",
        "{opener}[The trial|The hearing|Proceedings] [lasted|ran for|took] {small} "
        "[weeks|months|days] and [heard from|included testimony from] {small2} "
        "[witnesses|experts].",
        "{opener}[Lawyers for|Counsel for|Attorneys representing] {org} [said|argued] "
        "[in a filing|in court|in closing arguments] {clause}.",
        "{opener}[The case|The ruling|The verdict] [can be appealed|may go] [to|before] "
        "{inst} [within|in] {small} [days|weeks].",
        "{opener}[Victims'|Rights|Consumer] groups [welcomed|criticised|questioned] "
        "[the ruling|the decision|the verdict], [saying|arguing] {clause}.",
        "{opener}[Investigators|Police|Auditors] [found|uncovered|traced] {money} in "
        "[offshore accounts|payments|contracts] [linked to|involving] {org}.",
    ],
    "energy": [
        "{opener}Brent crude futures [were|settled|traded] [up|down] {cents} cents, or "
        "{chg}, at {barrel} a barrel [by {time}|at the close|in early Asian trade].",
        "{opener}[OPEC+|Saudi Arabia|Russia|The group] [agreed|decided|is expected] to "
        "[extend|deepen|unwind] [output cuts|production curbs] of {bpd} barrels per day.",
        "{opener}{energy_asset_cap} [will have|has|would add] [a capacity of|about] "
        "{gw} gigawatts, [enough to|able to] [power|supply] {big} homes.",
        "{opener}[Exports|Imports|Shipments] of {fuel} [to|from] {country2} {rise} "
        "{pct} in {month}, according to [customs data from|figures from|] {inst}.",
        "{opener}[Inventories|Stockpiles|Storage levels] in {region_any} [are|stood|were] "
        "[at|near] {pct} [of capacity|full], {inst} said.",
        "{opener}{org} [signed|agreed|is negotiating] a {small}-year [deal|contract|"
        "supply agreement] [with|to supply] {org2} [worth|valued at] {money}.",
        "{opener}[Household|Industrial|Wholesale] [power|energy|gas] prices in {country} "
        "[have|had] {rise} {chg} [since|over] {month}, [squeezing|hurting|weighing on] "
        "[consumers|manufacturers|the budget].",
        "{opener}{speaker_subj} [said|warned|predicted] that {fuel} [demand|supply|prices] "
        "[would|could] [peak|recover|tighten] [by|before|in] {year2}.",
    ],
}

CLAUSES: dict[str, list[str]] = {
    "generic": [
        "[the|a] [decision|plan|proposal] [would|could|will] [be reviewed|take effect|"
        "be challenged] [in|by|before] {month}",
        "{issue} [had|has|would have] [weighed on|dominated|complicated] [talks|planning|"
        "the outlook] [for|in] {city}",
        "{small} [people|officials|companies|groups] [had|have] [already|] "
        "[signed up|objected|pulled out|been contacted]",
        "[costs|spending|losses] [could|may|would] [reach|top|exceed] {money} "
        "[by|before|in] {year2}",
        "{org} [had|has] [warned|complained|argued] about {issue} [for months|since {month}|"
        "in {year}]",
        "[more than|nearly|about] {pct} of [those polled|residents|businesses] "
        "[supported|opposed|were unaware of] [the move|the measures|the plan]",
        "{inst} [would|will|could] [publish|release|present] [its findings|a report|"
        "new figures] [on {weekday}|in {month}|next week]",
        "{lead_ref} [had|has] [met|spoken with|written to] {person_bare} [twice|"
        "several times|once] [since {month}|this year|last week]",
        "{country} [accounts for|makes up|represents] [about|nearly|roughly] {pct} of "
        "[global|regional|total] [demand|supply|trade|output]",
        "[talks|negotiations|discussions] with {org} [stalled|resumed|broke down] "
        "[in {month}|on {weekday}|last week] [over|because of|amid] {issue}",
    ],
}

ISSUES: dict[str, list[str]] = {
    "generic": [
        "rising living costs",
        "the housing shortage",
        "public sector pay",
        "migration",
        "the war in Ukraine",
        "tensions in the Middle East",
        "supply chain disruption",
        "climate targets",
        "the budget gap",
        "the dispute with {country2}",
        "the {city} project",
        "labour shortages",
    ],
    "economy": [
        "sticky inflation",
        "the weak {currency}",
        "high borrowing costs",
        "a slowing property market",
        "tariffs on {country2_adj} goods",
        "falling exports",
        "the debt ceiling",
        "bank failures",
    ],
    "politics": [
        "the coalition crisis",
        "electoral fraud allegations",
        "the new security law",
        "corruption allegations",
        "the border dispute with {country2}",
        "the refugee deal",
        "press freedom",
        "the early election",
    ],
    "sport": [
        "the transfer ban",
        "fixture congestion",
        "the doping scandal",
        "the new stadium",
        "player welfare",
        "the salary cap",
        "the {competition_bare} schedule",
        "the coaching change",
    ],
    "tech": [
        "AI safety",
        "chip export curbs",
        "online child safety",
        "the data breach",
        "market dominance",
        "content moderation",
        "the cloud outage",
        "encryption rules",
    ],
    "weather": [
        "the flood defences",
        "the slow relief effort",
        "the drought",
        "crop losses",
        "the evacuation orders",
        "rebuilding costs",
        "water rationing",
        "the power cuts",
    ],
    "courts": [
        "the {charge} case",
        "judicial independence",
        "the appeal",
        "witness protection",
        "the plea deal",
        "the extradition request",
        "court delays",
        "the settlement",
    ],
    "energy": [
        "supply cuts",
        "the price cap",
        "the pipeline outage",
        "the energy transition",
        "windfall taxes",
        "refinery outages",
        "sanctions on {country2_adj} oil",
        "grid bottlenecks",
    ],
}

HEADLINES: dict[str, list[str]] = {
    "economy": [
        "{country_adj} {indicator} {rise} to {pct} in {month}",
        "{country_adj} central bank [holds|raises|cuts] rates [as|amid] {issue} [bites|persists]",
        "{org} [trims|lifts] {country} growth forecast on {issue}",
        "{market_cap} [slides|rallies|steadies] as {indicator} [surprises|disappoints]",
    ],
    "politics": [
        "{country_adj} lawmakers [back|reject|delay] {pol_thing_bare} in [tense|late-night] vote",
        "{lead_last} [heads to|visits|lands in] {city2} for talks on {issue}",
        "[Protests|Rallies] [grow|spread|erupt] in {city} over {issue}",
        "{country} and {country2} [agree|fail to agree|edge closer] on {issue}",
    ],
    "sport": [
        "{team} [beat|stun|edge] {team2} {score} in {competition_bare}",
        "{lead_last} [wins|claims|retains] {competition_bare} [title|crown]",
        "{team} [sack|appoint|part ways with] {lead_last} after {small} [defeats|games]",
        "{lead_last} ruled out [for|of] {competition_bare} with {sport_thing_bare}",
    ],
    "tech": [
        "{org} [unveils|delays|scraps] {tech_thing_bare} [amid|despite] {issue}",
        "[Regulator|EU|Watchdog] [probes|fines|targets] {org} over {issue}",
        "{org} [shares|stock] [jump|slump] {pct} after [results|outlook|{tech_issue_bare}]",
        "{org} to [invest|spend] {money} on {country_adj} [data centres|AI|chip plant]",
    ],
    "weather": [
        "{storm_cap} [kills|leaves] {small} [dead|missing] in {country}",
        "[Floods|Storms|Heatwave] [hit|batter|grip] {city}, thousands [evacuated|stranded]",
        "{country} [braces for|reels from|counts cost of] {storm}",
        "Record {temp} [heat|temperatures] [scorch|grip] {city}",
    ],
    "courts": [
        "{country_adj} court [convicts|acquits|jails] {lead_last} [over|on] {charge}",
        "{org} [loses|wins] [appeal|case] over {issue}",
        "Prosecutors [charge|probe|raid] {lead_last} in {charge} [case|inquiry]",
        "{inst_cap} [rules|sides] [against|with] {org} in {charge} dispute",
    ],
    "energy": [
        "Oil [rises|falls|steadies] [as|on] {issue}",
        "{org} [approves|shelves|starts] {money} {energy_asset_bare} in {country}",
        "{country} to [boost|cut|cap] {fuel} [output|exports|imports] by {pct}",
        "[OPEC+|Saudi Arabia|Russia] [weighs|extends|deepens] output cuts on {issue}",
    ],
}

REGIONS = [
    "the north",
    "the south",
    "the east",
    "the west",
    "the northeast",
    "the southwest",
    "coastal areas",
    "the central highlands",
    "the delta region",
    "mountainous areas",
]
REGION_ANY = [
    "Europe",
    "Asia",
    "Latin America",
    "Africa",
    "the Middle East",
    "emerging markets",
    "the euro zone",
    "the Gulf",
    "Southeast Asia",
]
CURRENCIES = [
    "peso",
    "lira",
    "rand",
    "rupee",
    "yen",
    "won",
    "real",
    "naira",
    "pound",
    "krona",
    "zloty",
    "forint",
    "shilling",
]
ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
]

CHROME_END = [
    "Our standards: The Thomson Reuters Trust Principles.",
    "Share this article",
    "Sign up for our daily newsletter",
    "Read more:",
    "Leave a Comment",
]
CHROME_MID = ["Advertisement", "Share this article", "ADVERTISEMENT", "Story continues below"]

_COUNTRIES_WITH_THE = {
    "United States",
    "Netherlands",
    "Philippines",
    "United Arab Emirates",
    "Czech Republic",
}
# Words that stay capitalised when a template is used mid-sentence.
_PROPER_STARTS = {"OPEC+", "Saudi", "Russia", "Brent", "GDP", "U.S."}


def _country_ref(country: str) -> str:
    return f"the {country}" if country in _COUNTRIES_WITH_THE else country


def _lower_alt(alt: str) -> str:
    first = alt.split(" ", 1)[0]
    wordlike = len(first) == 1 or first[1:2].islower()
    if alt[:1].isupper() and wordlike and first not in _PROPER_STARTS:
        return alt[0].lower() + alt[1:]
    return alt


def _decap(template: str) -> str:
    """Make a ``{opener}``-led template start in lower case.

    The opener ("Meanwhile, ") may be empty; ``_Article.expand`` capitalises the
    sentence afterwards, so the template itself must not force a capital.
    """
    if not template.startswith("{opener}"):
        return template
    rest = template[len("{opener}") :]
    m = re.match(r"\{(\w+)_cap\}", rest)
    if m:
        return "{opener}{" + m.group(1) + "}" + rest[m.end() :]
    if rest.startswith("["):
        end = rest.index("]")
        alts = "|".join(_lower_alt(a) for a in rest[1:end].split("|"))
        return "{opener}[" + alts + "]" + rest[end + 1 :]
    return "{opener}" + _lower_alt(rest)


for _pool in BODY.values():
    _pool[:] = [_decap(t) for t in _pool]

# Topic body sentences that can double as subordinate clauses ("... said that <clause>").
_CLAUSE_POOLS: dict[str, list[str]] = {
    topic: [
        t.replace("{opener}", "").rstrip(".")
        for t in BODY[topic]
        if "{clause}" not in t and "{oq}" not in t
    ]
    for topic in TOPICS
}

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")
_A_AN = re.compile(r"\b([Aa]) (?=[aeio]|u(?!ni|s[ea]|r))")
_AN_A = re.compile(r"\b([Aa])n (?=[b-df-hj-np-tv-z])")
_SPACES = re.compile(r" {2,}")
_WORD = re.compile(r"\S+")


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def _cap(text: str) -> str:
    """Upper-case the first letter of a sentence (skipping leading quote marks)."""
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1 :]
        if ch not in "\"“‘' ":
            return text
    return text


class _Article:
    """Holds the per-article state (random stream, cast, places) and expands templates."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.topic = rng.choice(TOPICS)
        self.place = rng.choice(PLACES)
        self.place2 = rng.choice([p for p in PLACES if p[1] != self.place[1]])
        self.curly = rng.random() < 0.6
        self.oq_, self.cq_ = ("“", "”") if self.curly else ('"', '"')
        self.lead_name = self._name()
        self.lead_mentioned = False
        self.in_headline = False
        self.lead_role = self._role()
        self.lead_pronoun = rng.choice(["he", "she"])
        self.orgs = [self._org() for _ in range(3)]
        self.teams = [self._team() for _ in range(2)]
        self.year = rng.randint(2022, 2024)
        self.slots: dict[str, Callable[[], str]] = self._build_slots()

    # ---- cast and fillers
    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def _role(self) -> str:
        rng = self.rng
        key = {
            "politics": "pol_role",
            "sport": "sport_role",
            "tech": "tech_role",
            "weather": "wx_role",
            "courts": "court_role",
            "energy": "energy_role",
        }.get(self.topic)
        if key is None or rng.random() < 0.3:
            return rng.choice(
                [
                    "chief economist at {org}",
                    "an analyst at {org}",
                    "a senior fellow at {org}",
                    "the {country_adj} finance minister",
                    "head of research at {org}",
                    "a spokesperson for {inst}",
                    "a professor at the University of {city}",
                    "the governor of the central bank",
                ]
            )
        role = rng.choice(VOCAB[key])
        if self.topic == "tech" and rng.random() < 0.5:
            role += rng.choice([" of {org}", " at {org}"])
        return role

    def _org(self) -> str:
        rng = self.rng
        root = rng.choice(ORG_ROOTS)
        if rng.random() < 0.25:
            root = f"{root} {rng.choice(ORG_ROOTS)}"
        elif rng.random() < 0.2:
            root = f"{rng.choice(LAST_NAMES)} & {rng.choice(LAST_NAMES)}"
        return f"{root} {rng.choice(ORG_KINDS[self.topic])}"

    def _team(self) -> str:
        rng = self.rng
        city = rng.choice(PLACES)[0]
        return rng.choice(
            [
                f"{city} {rng.choice(ORG_KINDS['sport'])}",
                f"FC {city}",
                f"Real {city}",
                f"{rng.choice(ORG_ROOTS)} {rng.choice(ORG_KINDS['sport'])}",
                f"{rng.choice(PLACES)[1]}",
            ]
        )

    def _lead_ref(self) -> str:
        if not self.lead_mentioned:
            self.lead_mentioned = True
            return self.lead_name
        return self.lead_name.split(" ", 1)[1]

    def _lead_full(self) -> str:
        self.lead_mentioned = True
        return self.lead_name

    def _num_pct(self) -> str:
        rng = self.rng
        value = rng.choice(
            [
                f"{rng.uniform(0.1, 9.9):.1f}",
                f"{rng.uniform(10, 99):.1f}",
                f"{rng.randint(2, 95)}",
                f"{rng.uniform(0.01, 3):.2f}",
            ]
        )
        return value + (" percent" if self.place[1] == "United States" and self.curly else "%")

    def _num_chg(self) -> str:
        """A plausible percentage change (small, one decimal)."""
        rng = self.rng
        value = rng.uniform(0.1, 4.9) if rng.random() < 0.8 else rng.uniform(5, 29)
        suffix = " percent" if self.place[1] == "United States" and self.curly else "%"
        return f"{value:.1f}{suffix}"

    def _money(self) -> str:
        rng = self.rng
        cur = rng.choice(["$", "$", "€", "£", "¥"])
        unit = (
            rng.choice(["million", "billion", "billion", "trillion"])
            if cur == "¥"
            else (rng.choice(["million", "million", "billion"]))
        )
        amount = rng.choice([f"{rng.uniform(1, 99):.1f}", str(rng.randint(2, 950))])
        return f"{cur}{amount} {unit}"

    def _big(self) -> str:
        rng = self.rng
        return rng.choice(
            [
                f"{rng.randint(1000, 99999):,}",
                f"{rng.randint(100, 999)}",
                f"{rng.randint(2, 40)},{rng.randint(0, 999):03d}",
                f"{rng.uniform(1.1, 9.9):.1f} million",
            ]
        )

    def _score(self) -> str:
        winner = self.rng.randint(1, 5)
        return f"{winner}-{self.rng.randint(0, winner - 1)}"

    def _date(self) -> str:
        return f"{self.rng.choice(MONTHS)} {self.rng.randint(1, 28)}"

    def _quote(self) -> str:
        rng = self.rng
        pool = QUOTES[self.topic] if rng.random() < 0.6 else QUOTES["generic"]
        return _cap(self._expand_raw(rng.choice(pool)))

    def _speaker(self) -> str:
        return f"{self._name()}, {self._role()}"

    def _speaker_subj(self) -> str:
        return f"{self._name()}, {self._role()},"

    def _issue(self) -> str:
        rng = self.rng
        pool = ISSUES[self.topic] if rng.random() < 0.6 else ISSUES["generic"]
        return rng.choice(pool)

    def _clause(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return rng.choice(CLAUSES["generic"])
        # Reuse a body sentence of the topic as a subordinate clause.
        return rng.choice(_CLAUSE_POOLS[self.topic])

    def _build_slots(self) -> dict[str, Callable[[], str]]:
        rng = self.rng
        city, country, adj = self.place
        city2, country2, adj2 = self.place2

        def pick(key: str) -> Callable[[], str]:
            return lambda: rng.choice(VOCAB[key])

        def bare(key: str) -> Callable[[], str]:
            def f() -> str:
                text = rng.choice(VOCAB[key])
                return re.sub(r"^(a|an|the) ", "", text)

            return f

        def cap(fn: Callable[[], str]) -> Callable[[], str]:
            return lambda: _cap(fn())

        slots: dict[str, Callable[[], str]] = {key: pick(key) for key in VOCAB}
        slots.update(
            {
                "person": self._name,
                "person_bare": self._name,
                "first": lambda: rng.choice(FIRST_NAMES),
                "speaker": self._speaker,
                "speaker_subj": self._speaker_subj,
                "lead_ref": self._lead_ref,
                "lead_full": self._lead_full,
                "lead_role": lambda: self.lead_role,
                "lead_last": lambda: self.lead_name.split(" ", 1)[1],
                "they": lambda: self.lead_pronoun,
                "org": lambda: rng.choice(self.orgs) if rng.random() < 0.7 else self._org(),
                "org2": self._org,
                "sport_org": lambda: rng.choice([*self.teams, self._team()]),
                "team": lambda: self.teams[0],
                "team2": lambda: self.teams[1],
                "inst": lambda: rng.choice(INSTITUTIONS[self.topic]),
                "inst_cap": lambda: _cap(rng.choice(INSTITUTIONS[self.topic])),
                "city": lambda: (
                    city if self.in_headline or rng.random() < 0.6 else rng.choice(PLACES)[0]
                ),
                "city2": lambda: city2,
                "country": lambda: _country_ref(country),
                "country2": lambda: _country_ref(
                    country2 if rng.random() < 0.7 else rng.choice(PLACES)[1]
                ),
                "country_adj": lambda: adj,
                "country2_adj": lambda: adj2,
                "region": lambda: rng.choice(REGIONS),
                "region_any": lambda: rng.choice(REGION_ANY),
                "currency": lambda: rng.choice(CURRENCIES),
                "weekday": lambda: rng.choice(WEEKDAYS),
                "month": lambda: rng.choice(MONTHS),
                "day": lambda: str(rng.randint(1, 28)),
                "year": lambda: str(rng.randint(self.year - 15, self.year - 1)),
                "year2": lambda: str(rng.randint(self.year + 1, self.year + 12)),
                "period": lambda: rng.choice(["year", "quarter", "season", "month", "week"]),
                "quarter": lambda: rng.choice(["first", "second", "third", "fourth"]),
                "ordinal": lambda: rng.choice(ORDINALS),
                "small": lambda: str(rng.randint(2, 60)),
                "small2": lambda: str(rng.randint(5, 90)),
                "seats": lambda: str(rng.choice([150, 200, 300, 350, 400, 450, 500, 577, 650])),
                "minute": lambda: str(rng.randint(11, 89)),
                "score": self._score,
                "racetime": lambda: (
                    f"{rng.randint(2, 5)} hours {rng.randint(1, 59)} minutes"
                    if rng.random() < 0.5
                    else f"{rng.randint(9, 59)}.{rng.randint(10, 99)} seconds"
                ),
                "big": self._big,
                "pct": self._num_pct,
                "chg": self._num_chg,
                "money": self._money,
                "level": lambda: f"{rng.uniform(0.5, 40000):,.2f}",
                "time": lambda: (
                    f"{rng.randint(0, 23):02d}{rng.choice(['00', '15', '30', '45'])} GMT"
                ),
                "cents": lambda: str(rng.randint(5, 290)),
                "barrel": lambda: f"${rng.uniform(62, 98):.2f}",
                "bpd": lambda: f"{rng.uniform(0.3, 3.9):.1f} million",
                "gw": lambda: f"{rng.uniform(0.2, 4.8):.1f}",
                "rain": lambda: f"{rng.randint(40, 480)} mm",
                "hours": lambda: str(rng.choice([6, 12, 24, 36, 48, 72])),
                "wind": lambda: f"{rng.randint(90, 260)} km/h",
                "temp": lambda: f"{rng.uniform(38, 49.9):.1f}C",
                "oq": lambda: self.oq_,
                "cq": lambda: self.cq_,
                "quote": self._quote,
                "issue": self._issue,
                "issue_cap": cap(self._issue),
                "clause": self._clause,
                "when_future": lambda: rng.choice(
                    [
                        "next week",
                        "on {weekday}",
                        "later this month",
                        "in {month}",
                        "before the end of the year",
                    ]
                ),
                "when2": lambda: rng.choice(["official", "government", "preliminary", "revised"]),
                "said_verb_pre": lambda: rng.choice(["said", "said", "added"]),
                "official_cap": cap(pick("official")),
                "pol_body_cap": cap(pick("pol_body")),
                "party_cap": cap(pick("party")),
                "econ_actor_cap": cap(pick("econ_actor")),
                "indicator_cap": cap(pick("indicator")),
                "market_cap": cap(pick("market")),
                "storm_cap": cap(pick("storm")),
                "court_body_cap": cap(pick("court_body")),
                "energy_asset_cap": cap(pick("energy_asset")),
                "pol_thing_bare": bare("pol_thing"),
                "tech_thing_bare": bare("tech_thing"),
                "tech_issue_bare": bare("tech_issue"),
                "energy_asset_bare": bare("energy_asset"),
                "sport_thing_bare": bare("sport_thing"),
                "storm_bare": bare("storm"),
                "competition_bare": bare("competition"),
            }
        )
        return slots

    # ---- expansion
    def _expand_raw(self, template: str) -> str:
        rng = self.rng
        text = template
        for _ in range(12):
            new = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), text)
            new = _SLOT.sub(lambda m: self.slots[m.group(1)](), new)
            if new == text:
                break
            text = new
        return text

    def expand(self, template: str) -> str:
        text = self._expand_raw(template)
        text = _A_AN.sub(lambda m: m.group(1) + "n ", text)
        text = _AN_A.sub(lambda m: m.group(1) + " ", text)
        text = _SPACES.sub(" ", text).replace(" ,", ",").replace(" .", ".")
        return _cap(text.strip())


def _dateline(art: _Article, agency: str, when: datetime) -> str:
    rng = art.rng
    city, country, _ = art.place
    upper = city.upper()
    month = MONTHS[when.month - 1]
    if agency == "Reuters":
        dash = rng.choice(["-", "-", "–"])
        return f"{upper}, {month} {when.day} (Reuters) {dash} "
    if agency == "AP":
        if rng.random() < 0.5 and country not in ("United States", city):
            return f"{upper}, {country} (AP) — "
        return f"{upper} (AP) — "
    if agency == "AFP":
        if rng.random() < 0.5:
            return f"{upper}, {month} {when.day}, {when.year} (AFP) - "
        return f"{upper} (AFP) – "
    return f"{upper}, {month} {when.day} ({agency}) -- "


def _make_article(index: int, seed: int) -> dict:
    rng = random.Random(f"newswire-bench:{seed}:{index}")
    art = _Article(rng)
    outlet, domain, agency = rng.choice(OUTLETS)
    base = datetime(2022, 1, 1, tzinfo=UTC)
    when = base + timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
    when = when.replace(second=0)
    art.year = when.year

    art.in_headline = True
    headline = art.expand(rng.choice(HEADLINES[art.topic]))
    art.in_headline = False
    # Headline may name the lead by surname; the body still introduces them in full.
    art.lead_mentioned = False

    target = rng.randint(MIN_WORDS, MAX_WORDS)
    by_line = rng.random() < (0.6 if agency == "AP" else 0.15)
    credits = agency == "Reuters" and rng.random() < 0.7
    chrome_end = rng.random() < 0.45
    chrome_mid = rng.random() < 0.3

    head: list[str] = []
    if by_line:
        head.append(f"By {art._name().upper() if rng.random() < 0.3 else art._name()}")
        if agency == "AP" and rng.random() < 0.5:
            head.append("Associated Press")
    tail: list[str] = []
    if credits:
        parts = [f"Reporting by {art._name()}"]
        if rng.random() < 0.6:
            extra = [art._name() for _ in range(rng.randint(1, 3))]
            joined = extra[0] if len(extra) == 1 else ", ".join(extra[:-1]) + f" and {extra[-1]}"
            parts.append(f"Additional reporting by {joined}")
        if rng.random() < 0.3:
            parts.append(f"Writing by {art._name()}")
        parts.append(
            f"Editing by {art._name()}" + (f" and {art._name()}" if rng.random() < 0.3 else "")
        )
        tail.append("; ".join(parts))
        if rng.random() < 0.7:
            tail.append("Our standards: The Thomson Reuters Trust Principles.")
    elif agency == "AP" and rng.random() < 0.3:
        tail.append(f"Copyright {when.year} The Associated Press. All rights reserved.")
    if chrome_end:
        tail.append(rng.choice(CHROME_END[1:]))
    reserved = sum(len(_WORD.findall(x)) for x in head + tail) + (1 if chrome_mid else 0)

    lede = _dateline(art, agency, when) + art.expand(rng.choice(LEDES[art.topic]))
    paragraphs: list[str] = [lede]
    words = len(_WORD.findall(lede)) + reserved
    while True:
        n_sent = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
        sents = []
        for _ in range(n_sent):
            pool = BODY[art.topic] if rng.random() < 0.55 else BODY["generic"]
            sents.append(art.expand(rng.choice(pool)))
        para = " ".join(sents)
        n = len(_WORD.findall(para))
        if words + n > target:
            break
        paragraphs.append(para)
        words += n
    # Top up with short sentences so the total stays close to the target.
    while words < max(target - 15, MIN_WORDS):
        sent = art.expand(rng.choice(BODY["generic"]))
        n = len(_WORD.findall(sent))
        if words + n > MAX_WORDS:
            break
        paragraphs.append(sent)
        words += n
    if chrome_mid and len(paragraphs) > 3:
        paragraphs.insert(rng.randint(2, len(paragraphs) - 1), rng.choice(CHROME_MID))
    body = "\n\n".join(head + paragraphs + tail)

    art_id = f"gen{index:06d}_{rng.getrandbits(64):016x}"
    url = f"https://{domain}/{SECTIONS[art.topic]}/{_slugify(headline)}-{when:%Y-%m-%d}/"
    return {
        "id": art_id,
        "source": outlet,
        "url": url,
        "headline": headline,
        "body": body,
        "published_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "language": "en",
    }


def generate_articles(n: int, seed: int = 7) -> list[dict]:
    """Return ``n`` deterministic, mutually distinct synthetic wire articles."""
    if n < 0:
        raise ValueError("n must be non-negative")
    return [_make_article(i, seed) for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="output .jsonl file")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    articles = generate_articles(args.n, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for art in articles:
            fh.write(json.dumps(art, ensure_ascii=False) + "\n")
    print(f"wrote {len(articles)} articles to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
