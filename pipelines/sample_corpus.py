"""The embedded sample corpus: a small, deterministic web crawl written by the project itself.

Reads nothing. Writes crawl and document shards into one directory and returns a `SampleTruth`
(never written to disk) that says what every shard holds, so tests can assert pipeline behaviour
against intent:

- `crawl-00000.warc.gz`: WARC/1.1, one gzip member per record (warcinfo, then request / response /
  metadata per page, two revisit records, non-text responses, a 404 and a 301).
- `crawl-00001.warc`: uncompressed WARC (a chunked response, a windows-1252 page).
- `crawl-00002.warc.gz`: WARC in one gzip member for the whole file.
- `crawl-00003.arc.gz`: legacy ARC v1, one gzip member per record.
- `crawl-00000.warc.wet.gz`: WET (warcinfo, then `conversion` records of plain text).
- `docs-00000.jsonl.gz`, `docs-00001.jsonl.zst`: JSON lines (`id`, `url`, `text`, `crawl_date`,
  `source`).
- `docs-00002.parquet`: the same fields, zstd, two row groups.

`write_sample(outdir)` writes the curated default sample (about 200 candidate documents in ten
languages with PII, duplicates, licence markup, opt-out signals, offensive lines, identity
mentions, junk and damaged-looking but valid records). `write_sample(outdir, documents=N)` writes
a scaled corpus of exactly N candidate documents with the same mix (tags without group names:
`dup:exact`, `near_dup`), streamed shard by shard with bounded memory, for benchmarks; its truth
keeps counts only, and `workers=K` writes K shards at a time in separate processes.

The record helpers `warc_record`, `http_response`, `sha1_digest`, `record_id` and `gzip_member`
are public so that test fixtures can build damaged shards from the same parts.

All text is original and all people, places, sites and numbers are fictional: hosts live under
example.com/.org/.net, phone numbers in ranges reserved for fiction, card numbers are public test
numbers, IP addresses come from documentation ranges.

Output is byte-identical for the same arguments: every random choice comes from seeded
`random.Random` streams, gzip headers carry mtime 0, WARC dates and record ids derive from the
seed, Parquet rows keep a fixed order.

Tag vocabulary of the truth (`DocTruth.tags`):
`pii:<email|phone|credit_card|ip_address|iban|us_ssn>`, `dup:exact:<group>`,
`near_dup:<group>`, `license:<SPDX id>`, `license_src:<a_rel|link_rel|meta|jsonld|text>`,
`optout:<meta|header|tdm_header|tdm_meta>`, `offensive`, `profanity`,
`identity:<religion|gender|sexual_orientation|disability|race>`,
`junk:<boilerplate|nav_only|lorem|js_required|symbols|short|empty|repeated>`, `non_text`,
`http:<301|404|chunked>`, `charset:<name>`, `field:missing_url`, `long`, `community_note`, and
the traps `trap:license_figure_only`, `trap:robots_index_follow`, `trap:robots_noarchive` (signals
that look like, but are not, a licence or an opt-out).

Version history:
- 1: first version.
- 2: six short community notes of a deaf club (JSONL), for the bias audit.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import hashlib
import html
import itertools
import json
import math
import multiprocessing
import random
import re
import struct
import time
import unicodedata
import zlib
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from email.utils import formatdate
from pathlib import Path
from types import MappingProxyType

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from schemas.document import document_id

VERSION = 2
CRAWL = "CURATE-SAMPLE-2026-48"
# Fetch dates start here (Monday of ISO week 48, 2026, matching the crawl name).
_EPOCH = calendar.timegm((2026, 11, 23, 0, 0, 0))
MAX_DOCS_PER_SHARD = 20_000
# Level 1: compressing is most of the cost of writing a per-record WARC, and level 6 makes files
# only about 5% smaller on this kind of HTML.
GZIP_LEVEL = 1
ZSTD_LEVEL = 3
# A realistic ratio of candidate documents per format, shared by the default and scaled corpora.
FORMAT_MIX: Mapping[str, float] = MappingProxyType(
    {
        "warc_record_gzip": 0.45,
        "warc_plain": 0.05,
        "warc_file_gzip": 0.05,
        "arc": 0.05,
        "wet": 0.12,
        "jsonl_gz": 0.12,
        "jsonl_zst": 0.08,
        "parquet": 0.08,
    }
)

# ---------------------------------------------------------------------------------------------
# Language resources. Templates are separated by blank lines; a template may wrap over several
# lines. `{a|b|c}` picks one alternative, `{name}`, `{town}` and `{n}` pick a filler. Slots sit
# every few words so that two expansions of one template share few word 5-grams, which keeps
# unrelated generated documents far apart for near-duplicate detection.
# ---------------------------------------------------------------------------------------------

_EN = """
{In spring|Last autumn|Over the summer|Early this year}, {name} and {a few|a dozen|several}
{neighbours|volunteers|students|retired teachers} {planted|repaired|repainted|cleaned up} the
{old|small|community|school} {garden|library|footbridge|playground} {in|near|just outside} {town}.

The {council|local trust|parish board|youth club} in {town} {says|reports|has confirmed} that {n}
new {benches|bike racks|street lamps|fruit trees} will be {installed|added|put up} {before the
winter|by the end of the month|next spring|after the summer fair}.

{name} {explained|pointed out|told us|admitted} that {slow cooking|a heavy cast-iron pan|fresh
thyme|a pinch of smoked salt} {makes all the difference|changes the whole dish|is the real
secret|is worth the extra effort} {in a good stew|in bean soup|when roasting vegetables|with red
lentils}.

{Every Saturday|Twice a month|On most weekday evenings|Each Sunday morning} the {farmers
market|reading room|repair café|chess club} on {Mill Street|Harbour Road|the old square|Station
Lane} {draws|attracts|welcomes} {about|more than|nearly|roughly} {n}
{visitors|regulars|families|newcomers}.

{According to|As reported by|In a note from|In a letter signed by} {name}, the
{spring|autumn|winter|summer} {timetable|rota|programme|schedule} {changes|shifts|will be
updated|gets revised} {on Monday|from next week|at the start of the month|after the holidays}, so
{please check|it is worth checking|do look at|keep an eye on} the {notice board|website|parish
newsletter|door of the hall}.

The {trail|path|old towpath|ridge walk} from {town} to the {river|reservoir|lighthouse|old mill}
is {about|just over|a little under|roughly} {n} kilometres {long|each way|in total|from end to
end}, {with|and it has} {two steep climbs|a few muddy stretches|several benches|a small café}
{along the way|halfway|near the end|at the start}.

{Several|Many|A few|Dozens of} {readers|members|parents|listeners} {wrote in to ask|have
asked|keep asking|wanted to know} {when|why|how} the {old|wooden|narrow|stone}
{bridge|pier|station|clock tower} {in|at} {town} {will reopen|was closed|is being rebuilt|got its
new roof}.

{The first|Our latest|This year's|The annual} {concert|lecture|workshop|open day} {at|in} the
{town hall|community centre|village school|public library} {sold out|filled up|was fully booked}
{within|in less than} {n} {days|hours}, {which surprised|which delighted|to the surprise of|to
the relief of} {name}.

{If you|Whenever you|Before you|When you} {bake|make|try|prepare} {sourdough|rye bread|flatbread|a
fruit loaf} {at home|for the first time|in a small oven|on a cold day}, {let the dough
rest|keep the kitchen warm|weigh the flour carefully|use less water than you think} {for a
while|overnight|at every step|from the start}.

{Researchers|Volunteers|Two students|A small team} from {town}
{counted|recorded|observed|photographed} {n} {species of birds|kinds of butterflies|different
mosses|wild orchids} {along|around|beside} the {canal|lake|old railway line|quarry} {this
season|last month|over three weekends|during the survey}.

{name} has {run|organised|led|looked after} the {choir|football team|allotment society|book
group} for {almost|nearly|more than|about} {n} years and {says|insists|believes|likes to say}
that {the best part is the people|patience matters most|there is always more to learn|every
season is different}.

The {new|updated|free|open-source} {app|website|map|booklet} {lists|shows|collects|brings
together} every {bus stop|cycle route|drinking fountain|public toilet} in {town}, {along
with|together with|as well as|plus} {opening hours|photos|short notes|accessibility details}.

{Heavy rain|A late frost|A dry spell|Strong wind} {last week|in early May|over the weekend|on
Thursday night} {damaged|flattened|ruined|tested} {many of|most of|a few of|some of} the
{tomato plants|apple blossoms|young hedges|vegetable beds} {on|around|near} the {allotments|edge
of town|hillside farms|school grounds}.

{Our|The} {editor|reporter|photographer|columnist} {spent|took} {a morning|an afternoon|two
days|a long weekend} {with|alongside|following} the {ferry crew|night nurses|bakery staff|lifeboat
volunteers} {to see|to learn|to understand|to find out} {how the work is shared|what a normal
shift looks like|how much planning is involved|why they love the job}.

{Children|Pupils|Visitors|Families} {can|will be able to|are invited to|are welcome to}
{build|try|paint|test} {kites|small robots|clay pots|paper boats} {in the|during the|at the}
{morning session|afternoon workshop|holiday club|open day} {led by|run by|hosted by|organised by}
{name}.

The {museum|archive|old school|local history group} {in|of} {town} {holds|keeps|has|looks
after} {letters|photographs|maps|diaries} from the {1890s|1920s|years after the war|early days of
the railway}, {and many of them|and some of them|and a few of them} {have never been shown in
public|are still waiting to be catalogued|were recently digitised|came from local families}.

{Cycling|Walking|Taking the train|Car sharing} {to work|into town|to school|to the coast} {has
become|is now|seems|turned out to be} {much more popular|cheaper than expected|easier than
before|a habit for many} {in|around} {town} {since|after} the {new timetable|bridge
repairs|fuel price rise|summer campaign}.

{name} {recommends|suggests|advises} {starting|beginning} with {a short walk|an easy recipe|a
second-hand bike|a single bed of herbs} {and|before} {building up slowly|adding more
later|asking for help|keeping notes}.

It was {the wettest|the warmest|the busiest|the quietest} {June|August|October|winter}
{anyone|the staff|the ferry crew|the old fishermen} {in|at} {town} {could remember|can
recall|had ever seen|had known}.

The {volunteers|organisers|neighbours|staff} {collected|raised|gathered} {more than|almost|just
under|about} {n}00 {euros|pounds|dollars} {for|towards} {a new roof|the food bank|a
defibrillator|the school trip}.

{Quiet|Careful|Patient|Regular} {practice|listening|repetition|preparation}
{matters|counts|helps|pays off} {more than|as much as} {talent|expensive equipment|long
sessions|luck}, {according to|in the view of|says|argues} {name}.

{We|Our team|The authors|Two of our readers} {tested|compared|tried out|reviewed} {n} {rain
jackets|tents|bike lights|walking boots} {over|during|across} {a wet month|several weekends|a
long autumn|two hiking trips} and {picked a clear favourite|found two good options|chose one
surprising winner|found nothing perfect}.

The {ferry|night bus|regional train|early tram} to {town} {now runs every|will soon run
every|used to run every|currently runs every} {n} minutes {on weekdays|at peak times|in the
summer|until midnight}.

{A new|The first|A small|A second} {bakery|bookshop|bike workshop|tea room} {opened|has
opened|will open|is opening} {on|near|beside} the {harbour|market square|main road|old station}
{in|of} {town}, {run by|owned by|started by|set up by} {name}.
"""

_EN_TITLES = """
{A Walk|A Day|A Weekend|An Evening} {along the|beside the|around the} {River|Canal|Harbour|Old
Mill} in {town}

{How|Why} {name} {Rebuilt|Saved|Reopened|Runs} the {Village Library|Community Garden|Repair
Café|Old Cinema}

{Notes on|Thoughts on|A Guide to|Lessons from} {Sourdough|Allotment Life|Winter
Cycling|Birdwatching} in {town}

{News|Update|Report} from {town}: {Bridge Repairs|New Bus Timetable|Summer Festival|School
Garden}
"""

_DE = """
{Im Frühjahr|Im vergangenen Herbst|Über den Sommer|Anfang des Jahres} {haben|hatten} {name} und
{einige|zwölf|mehrere} {Nachbarn|Freiwillige|Studierende|Rentner} den {alten|kleinen}
{Garten|Spielplatz|Steg|Dorfplatz} {in|bei} {town} {hergerichtet|repariert|neu
gestrichen|aufgeräumt}.

Der {Gemeinderat|Heimatverein|Ortsbeirat|Jugendtreff} in {town} {teilt mit|meldet|bestätigt|
berichtet}, dass {n} neue {Bänke|Fahrradständer|Straßenlaternen|Sitzgruppen} {noch vor dem
Winter|bis Ende des Monats|im nächsten Frühjahr|nach dem Sommerfest}
{aufgestellt|montiert|angeschafft} werden.

{name} {erklärt|betont|verrät|gibt zu}, dass {langsames Schmoren|eine schwere
Gusseisenpfanne|frischer Thymian|eine Prise Rauchsalz} {den Unterschied macht|das ganze Gericht
verändert|das eigentliche Geheimnis ist|die Mühe wert ist}, {besonders bei|vor allem bei|gerade
bei|auch bei} {Eintopf|Bohnensuppe|Ofengemüse|roten Linsen}.

{Jeden Samstag|Zweimal im Monat|An den meisten Abenden|Jeden Sonntagmorgen} {zieht|lockt}
{der Bauernmarkt|das Lesecafé|das Reparaturcafé|der Schachclub} {in der Mühlenstraße|am
Hafen|auf dem alten Marktplatz|am Bahnhofsweg} {rund|mehr als|fast|etwa} {n}
{Besucher|Stammgäste|Familien|Neugierige} an.

{name} {weist darauf hin|erinnert daran|schreibt|kündigt an}, dass sich der
{Frühjahrs|Herbst|Winter|Sommer}fahrplan {ab Montag|ab nächster Woche|zum Monatsanfang|nach den
Ferien} ändert; {Details stehen|alle Zeiten stehen|Genaueres steht|mehr steht} {am Schwarzen
Brett|auf der Webseite|im Gemeindeblatt|an der Tür des Saals}.

Der {Wanderweg|Pfad|Treidelpfad|Höhenweg} von {town} {zum Fluss|zum Stausee|zum Leuchtturm|zur
alten Mühle} ist {etwa|gut|knapp|rund} {n} Kilometer lang, und {unterwegs|auf halber
Strecke|kurz vor dem Ziel|gleich am Anfang} {gibt es|findet man} {zwei steile Anstiege|ein paar
matschige Stellen|mehrere Bänke|ein kleines Café}.

{Viele|Einige|Mehrere|Zahlreiche} {Leserinnen und Leser|Mitglieder|Eltern|Zuhörer} {wollten
wissen|haben gefragt|fragen immer wieder|möchten wissen}, {wann|warum|wie lange} die
{alte|hölzerne|schmale|steinerne} {Brücke|Mole|Uhr am Rathaus|Fähranlegestelle} in {town}
{gesperrt bleibt|saniert wird|geschlossen war|neu gebaut wird}.

{Das erste|Das diesjährige|Das letzte|Das jährliche} {Konzert|Seminar|Sommerfest|Lesefest} {im
Rathaus|im Gemeindezentrum|in der Dorfschule|in der Stadtbibliothek} war {innerhalb von|in
weniger als} {n} {Tagen|Stunden} ausverkauft, was {name} {sehr freute|überraschte|
erleichterte|kaum glauben konnte}.

Wer {Sauerteigbrot|Roggenbrot|Fladenbrot|Früchtebrot} {zu Hause|zum ersten Mal|in einem kleinen
Ofen|an kalten Tagen} backt, sollte {den Teig lange ruhen lassen|die Küche warm halten|das Mehl
genau abwiegen|weniger Wasser nehmen als gedacht}.

{Forschende|Ehrenamtliche|Zwei Studentinnen|Ein kleines Team} aus {town}
{zählten|erfassten|beobachteten|fotografierten} {n} {Vogelarten|Schmetterlingsarten|Moosarten|
wilde Orchideen} {entlang des Kanals|rund um den See|an der alten Bahntrasse|im stillgelegten
Steinbruch} {in dieser Saison|im letzten Monat|an drei Wochenenden|während der Zählung}.

{name} {leitet|organisiert|betreut|begleitet} {den Chor|die Fußballmannschaft|den
Kleingartenverein|den Lesekreis} seit {fast|beinahe|mehr als|rund} {n} Jahren und
{sagt|meint|findet|betont}, dass {die Menschen das Schönste daran sind|Geduld am wichtigsten
ist|man nie auslernt|jede Saison anders ist}.

Die {neue|kostenlose|überarbeitete|quelloffene} {App|Karte|Webseite|Broschüre}
{verzeichnet|zeigt|sammelt} {jede Bushaltestelle|jeden Radweg|jeden Trinkbrunnen|jede
öffentliche Toilette} in {town}, {samt|inklusive|zusammen mit|mit} {Öffnungszeiten|Fotos|kurzen
Hinweisen|Angaben zur Barrierefreiheit}.

{Starkregen|Ein später Frost|Eine lange Trockenheit|Heftiger Wind} hat {letzte Woche|Anfang
Mai|am Wochenende|in der Nacht zum Donnerstag} {viele|die meisten|einige|etliche}
{Tomatenpflanzen|Apfelblüten|junge Hecken|Gemüsebeete} {in den Kleingärten|am Ortsrand|auf den
Höfen am Hang|auf dem Schulgelände} {beschädigt|zerstört|geknickt|getroffen}.

{Unsere Redakteurin|Unser Reporter|Unsere Fotografin|Unser Kolumnist} hat {einen
Vormittag|einen Nachmittag|zwei Tage|ein langes Wochenende} mit {der Fährcrew|den
Nachtschwestern|dem Team der Bäckerei|den Seenotrettern} verbracht, um {zu sehen, wie die Arbeit
verteilt ist|einen ganz normalen Dienst zu erleben|die viele Planung zu verstehen|
herauszufinden, warum sie ihren Beruf lieben}.

{Kinder|Schülerinnen und Schüler|Besucher|Familien} {können|dürfen} {in der
Vormittagsgruppe|im Nachmittagskurs|im Ferienprogramm|am Tag der offenen Tür} {Drachen
bauen|kleine Roboter testen|Tontöpfe bemalen|Papierboote falten}, {angeleitet von|betreut
von|organisiert von} {name}.

{Das Museum|Das Archiv|Die alte Schule|Der Geschichtsverein} in {town}
{bewahrt|besitzt|hütet|verwaltet} {Briefe|Fotografien|Landkarten|Tagebücher} aus {den 1890er
Jahren|den 1920er Jahren|der Nachkriegszeit|der Anfangszeit der Eisenbahn}, {und viele
davon|und einige davon|und manche davon} {wurden nie öffentlich gezeigt|warten noch auf ihre
Erfassung|wurden kürzlich digitalisiert|stammen aus Familienbesitz}.

{Radfahren|Zu Fuß gehen|Bahnfahren|Carsharing} {zur Arbeit|in die Stadt|zur Schule|an die
Küste} ist in {town} seit {dem neuen Fahrplan|der Brückensanierung|dem Anstieg der
Spritpreise|der Sommeraktion} {deutlich beliebter|günstiger als erwartet|einfacher als
früher|für viele zur Gewohnheit} geworden.

{name} {empfiehlt|rät}, mit {einem kurzen Spaziergang|einem einfachen Rezept|einem gebrauchten
Fahrrad|einem einzigen Kräuterbeet} {anzufangen|zu beginnen} und {sich langsam zu
steigern|später mehr hinzuzunehmen|um Hilfe zu bitten|Notizen zu führen}.

{Es war|Das war} {der nasseste|der wärmste|der geschäftigste|der ruhigste}
{Juni|August|Oktober|Winter} seit {vielen Jahren|Beginn der Aufzeichnungen|Jahrzehnten|langer
Zeit}, {sagen|meinen|erzählen|berichten} {die Fährleute|die alten Fischer|die Leute im
Laden|die Gärtner} in {town}.

{Die Freiwilligen|Die Veranstalter|Die Nachbarn|Die Mitarbeiter} {sammelten|spendeten|erzielten}
{mehr als|fast|knapp|rund} {n}00 Euro für {ein neues Dach|die Tafel|einen Defibrillator|die
Klassenfahrt}.

{Ruhiges|Sorgfältiges|Geduldiges|Regelmäßiges} {Üben|Zuhören|Wiederholen|Vorbereiten}
{zählt|hilft|lohnt sich} mehr als {Talent|teure Ausrüstung|lange Einheiten|Glück},
{meint|sagt|findet} {name}.

{Wir haben|Unser Team hat|Zwei Leser haben|Die Redaktion hat} {n}
{Regenjacken|Zelte|Fahrradlampen|Wanderschuhe} {einen nassen Monat lang|an mehreren
Wochenenden|einen langen Herbst lang|auf zwei Wanderungen} {getestet|verglichen|ausprobiert}
und {einen klaren Favoriten gefunden|zwei gute Modelle entdeckt|einen überraschenden Sieger
gekürt|nichts Perfektes gefunden}.

{Die Fähre|Der Nachtbus|Der Regionalzug|Die erste Straßenbahn} nach {town} {fährt jetzt
alle|fährt bald alle|fuhr früher alle|fährt derzeit alle} {n} Minuten, {an Werktagen|zu
Stoßzeiten|im Sommer|bis Mitternacht}.

{Eine neue|Eine kleine|Eine zweite} {Bäckerei|Buchhandlung|Fahrradwerkstatt|Teestube}
{hat|hat gerade} {am Hafen|am Marktplatz|an der Hauptstraße|neben dem alten Bahnhof} in {town}
eröffnet, {geführt|gegründet|betrieben} von {name}.
"""

_DE_TITLES = """
{Ein Spaziergang|Ein Tag|Ein Wochenende} {am Fluss|am Kanal|am Hafen|an der alten Mühle} in
{town}

{Wie|Warum} {name} {die Dorfbibliothek|den Gemeinschaftsgarten|das Reparaturcafé|das alte Kino}
{gerettet hat|wiederbelebt hat|neu aufgebaut hat}

{Notizen|Gedanken|Tipps} zu {Sauerteig|Kleingärten|Radfahren im Winter|Vogelbeobachtung} in
{town}

{Neues|Aktuelles} aus {town}: {Brückensanierung|neuer Busfahrplan|Sommerfest|Schulgarten}
"""

_FR = """
{Au printemps|L'automne dernier|Pendant l'été|Au début de l'année}, {name} et {quelques|une
douzaine de|plusieurs} {voisins|bénévoles|étudiants|retraités} ont {remis en état|réparé|
repeint|nettoyé} le {vieux|petit} {jardin|pont|terrain de jeux|lavoir} {de|près de} {town}.

Le {conseil municipal|comité des fêtes|conseil de quartier|club des jeunes} de {town}
{annonce|confirme|indique} que {n} nouveaux {bancs|range-vélos|lampadaires|arbres fruitiers}
seront {installés|ajoutés|mis en place} {avant l'hiver|d'ici la fin du mois|au printemps
prochain|après la fête d'été}.

{name} {explique|souligne|reconnaît|confie} qu'{une cuisson lente|une lourde poêle en fonte|un
peu de thym frais|une pincée de sel fumé} {fait toute la différence|change tout le plat|est le
vrai secret|vaut l'effort}, {surtout|en particulier|notamment} {dans un ragoût|dans une soupe de
haricots|pour les légumes rôtis|avec des lentilles corail}.

{Chaque samedi|Deux fois par mois|La plupart des soirs|Chaque dimanche matin}, le {marché
fermier|café-lecture|café de réparation|club d'échecs} {de la rue du Moulin|du port|de la
vieille place|de l'avenue de la Gare} {attire|accueille|réunit} {environ|plus de|près de} {n}
{visiteurs|habitués|familles|curieux}.

{name} {rappelle|précise|signale|annonce} que les horaires {de printemps|d'automne|d'hiver|
d'été} {changent|entrent en vigueur|seront modifiés} {lundi|la semaine prochaine|en début de
mois|après les vacances} ; {tous les détails sont|les nouveaux horaires sont}
{affichés|publiés|disponibles} {sur le panneau de la mairie|sur le site internet|dans le bulletin
municipal|à l'entrée de la salle}.

Le {sentier|chemin|chemin de halage|sentier des crêtes} qui relie {town} {à la rivière|au lac de
barrage|au phare|au vieux moulin} fait {environ|un peu plus de|un peu moins de|à peu près} {n}
kilomètres, et l'on trouve {deux montées raides|quelques passages boueux|plusieurs bancs|un
petit café} {en chemin|à mi-parcours|juste avant l'arrivée|dès le départ}.

{Beaucoup de|Plusieurs|Quelques|De nombreux} {lecteurs|membres|parents|auditeurs} {nous
demandent|ont voulu savoir|se demandent|nous ont écrit pour savoir} {quand|pourquoi|comment} le
{vieux|petit|grand} {pont|quai|clocher|ponton} de {town} {va rouvrir|a été fermé|est en
travaux|a retrouvé son toit}.

{Le premier|Le dernier|L'unique|Le grand} {concert|atelier|bal|festival de lecture} {à la
mairie|à la salle des fêtes|à l'école du village|à la médiathèque} a affiché complet en {moins
de|à peine} {n} {jours|heures}, ce qui a {surpris|ravi|soulagé|étonné} {name}.

Si vous {préparez|faites|essayez} {un pain au levain|un pain de seigle|des galettes|un cake aux
fruits} {chez vous|pour la première fois|dans un petit four|par temps froid}, {laissez reposer
la pâte longtemps|gardez la cuisine bien chaude|pesez la farine avec soin|mettez moins d'eau que
prévu}.

{Des chercheurs|Des bénévoles|Deux étudiantes|Une petite équipe} de {town} ont
{compté|recensé|observé|photographié} {n} {espèces d'oiseaux|espèces de papillons|mousses
différentes|orchidées sauvages} {le long du canal|autour du lac|sur l'ancienne voie ferrée|dans
la carrière abandonnée} {cette saison|le mois dernier|en trois week-ends|pendant l'inventaire}.

{name} {dirige|anime|organise|entraîne} {la chorale|l'équipe de football|l'association des
jardins familiaux|le club de lecture} depuis {presque|près de|plus de|environ} {n} ans et
{affirme|estime|répète|pense} que {les gens sont le meilleur de l'aventure|la patience compte
plus que tout|l'on apprend toujours|chaque saison est différente}.

{La nouvelle application|La carte gratuite|Le nouveau site|La brochure mise à jour}
{recense|indique|rassemble} {chaque arrêt de bus|chaque piste cyclable|chaque fontaine|chaque
toilette publique} de {town}, {avec|ainsi que} {les horaires d'ouverture|des photos|de courtes
notes|des informations sur l'accessibilité}.

{Une forte pluie|Une gelée tardive|Une longue sécheresse|Un vent violent} a
{abîmé|détruit|couché|éprouvé} {la semaine dernière|début mai|ce week-end|dans la nuit de
jeudi} {beaucoup de|la plupart des|quelques|certains} {plants de tomates|fleurs de
pommier|jeunes haies|carrés de légumes} {dans les jardins familiaux|en bordure de la ville|dans
les fermes des coteaux|autour de l'école}.

{Notre journaliste|Notre photographe|Notre chroniqueuse|Notre rédactrice} a passé {une
matinée|un après-midi|deux jours|un long week-end} avec {l'équipage du bac|les infirmières de
nuit|l'équipe de la boulangerie|les sauveteurs en mer} pour {comprendre comment le travail est
partagé|vivre une journée ordinaire|mesurer toute l'organisation nécessaire|découvrir pourquoi
ils aiment ce métier}.

{Les enfants|Les élèves|Les visiteurs|Les familles} pourront {construire des cerfs-volants|tester
de petits robots|peindre des pots en terre|plier des bateaux en papier} {lors de l'atelier du
matin|pendant l'atelier de l'après-midi|au centre de loisirs|pendant la journée portes
ouvertes}, {avec l'aide de|sous la conduite de|à l'invitation de} {name}.

{Le musée|Le centre d'archives|La vieille école|La société d'histoire locale} de {town}
{conserve|possède|garde précieusement} {des lettres|des photographies|des cartes|des carnets}
{des années 1890|des années 1920|de l'après-guerre|des débuts du chemin de fer}, {dont
beaucoup|dont certaines|dont quelques-unes} {n'ont jamais été exposées|attendent encore d'être
classées|ont été numérisées récemment|viennent de familles du coin}.

{Le vélo|Le train|Le covoiturage|Le bus} {pour aller au travail|pour aller en ville|pour aller à
l'école|jusqu'à la côte} est devenu {bien plus populaire|moins cher que prévu|plus simple
qu'avant|une habitude pour beaucoup} à {town} depuis {le nouvel horaire|les travaux du pont|la
hausse du carburant|la campagne de l'été}.

{name} {conseille|recommande|suggère} de commencer par {une courte promenade|une recette
simple|un vélo d'occasion|un seul carré d'herbes aromatiques} et de {progresser lentement|voir
plus grand ensuite|demander de l'aide|prendre des notes}.

C'était {le mois de juin le plus pluvieux|l'été le plus chaud|l'hiver le plus calme|l'automne le
plus animé} {depuis des années|depuis le début des relevés|depuis des décennies|depuis
longtemps}, {disent|racontent|affirment} {les passeurs|les vieux pêcheurs|les
commerçants|les jardiniers} de {town}.

{Les bénévoles|Les organisateurs|Les voisins|Les employés} ont {collecté|réuni|récolté} {plus
de|près de|un peu moins de|environ} {n}00 euros pour {un nouveau toit|la banque alimentaire|un
défibrillateur|la sortie scolaire}.

{Une pratique calme|Une écoute attentive|La répétition patiente|Une préparation régulière}
compte plus que {le talent|le matériel coûteux|les longues séances|la chance},
{estime|dit|affirme} {name}.

{Nous avons|Notre équipe a|Deux lecteurs ont|La rédaction a} {testé|comparé|essayé} {n}
{vestes de pluie|tentes|lampes de vélo|chaussures de marche} {pendant un mois pluvieux|sur
plusieurs week-ends|tout un automne|lors de deux randonnées} et {trouvé un favori
évident|retenu deux bons modèles|désigné un gagnant surprenant|rien trouvé de parfait}.

{Le bac|Le bus de nuit|Le train régional|Le premier tram} pour {town} {passe désormais toutes
les|passera bientôt toutes les|passait autrefois toutes les|passe en ce moment toutes les} {n}
minutes {en semaine|aux heures de pointe|en été|jusqu'à minuit}.

{Une nouvelle boulangerie|Une petite librairie|Un atelier de vélos|Un salon de thé} {a
ouvert|vient d'ouvrir|ouvrira bientôt} {sur le port|sur la place du marché|dans la rue
principale|près de l'ancienne gare} de {town}, {grâce à|à l'initiative de} {name}.
"""

_FR_TITLES = """
{Une promenade|Une journée|Un week-end} {au bord de la rivière|le long du canal|sur le
port|autour du vieux moulin} à {town}

{Comment|Pourquoi} {name} a {sauvé|relancé|reconstruit} {la bibliothèque du village|le jardin
partagé|le café de réparation|le vieux cinéma}

{Notes sur|Conseils pour|Réflexions sur} {le levain|les jardins familiaux|le vélo en
hiver|l'observation des oiseaux} à {town}

{Nouvelles|Actualités} de {town} : {travaux du pont|nouveaux horaires de bus|fête d'été|jardin
de l'école}
"""

_ES = """
{En primavera|El otoño pasado|Durante el verano|A principios de año}, {name} y {algunos|una
docena de|varios} {vecinos|voluntarios|estudiantes|jubilados} {arreglaron|repararon|pintaron|
limpiaron} el {viejo|pequeño} {huerto|puente|parque infantil|lavadero} de {town}.

El {ayuntamiento|comité de fiestas|consejo de barrio|club juvenil} de {town}
{anuncia|confirma|informa} que {se instalarán|se colocarán|se añadirán} {n} {bancos
nuevos|aparcabicis|farolas nuevas|árboles frutales} {antes del invierno|a finales de mes|la
próxima primavera|después de la feria de verano}.

{name} {explica|insiste en|reconoce|cuenta} que {una cocción lenta|una sartén de hierro
fundido|el tomillo fresco|una pizca de sal ahumada} {marca la diferencia|cambia todo el plato|es
el verdadero secreto|merece el esfuerzo}, {sobre todo|especialmente} {en un guiso|en una sopa de
alubias|con verduras asadas|con lentejas rojas}.

{Cada sábado|Dos veces al mes|Casi todas las tardes|Cada domingo por la mañana}, el {mercado de
agricultores|café de lectura|taller de reparación|club de ajedrez} {de la calle del
Molino|del puerto|de la plaza vieja|de la avenida de la Estación} {atrae|recibe|reúne} a
{unos|más de|casi|alrededor de} {n} {visitantes|habituales|familias|curiosos}.

{name} {recuerda|avisa|señala|anuncia} que el horario de {primavera|otoño|invierno|verano}
{cambia|entra en vigor|se actualiza} {el lunes|la próxima semana|a principios de mes|después de
las vacaciones}, y que los detalles {están|aparecen|se publican} {en el tablón del
ayuntamiento|en la página web|en el boletín municipal|en la puerta del salón}.

El {sendero|camino|camino de sirga|sendero de la sierra} que va de {town} {al río|al
embalse|al faro|al viejo molino} tiene {unos|poco más de|algo menos de|alrededor de} {n}
kilómetros, y {por el camino|a mitad de recorrido|justo antes de llegar|nada más empezar} hay
{dos subidas empinadas|algunos tramos embarrados|varios bancos|un pequeño café}.

{Muchos|Varios|Algunos|Numerosos} {lectores|socios|padres|oyentes} {nos preguntan|quieren
saber|han preguntado|nos han escrito para saber} {cuándo|por qué|cómo} el
{viejo|pequeño|estrecho} {puente|muelle|campanario|embarcadero} de {town} {volverá a abrir|fue
cerrado|está en obras|recuperó su tejado}.

{El primer|El último|El gran|El tradicional} {concierto|taller|baile|festival de lectura} {en el
ayuntamiento|en el centro cívico|en la escuela del pueblo|en la biblioteca municipal} agotó las
entradas en {menos de|apenas} {n} {días|horas}, algo que
{sorprendió|alegró|alivió|asombró} a {name}.

Si {prepara|hace|prueba} {pan de masa madre|pan de centeno|tortas|un bizcocho de frutas} {en
casa|por primera vez|en un horno pequeño|en días fríos}, {deje reposar la masa mucho
tiempo|mantenga la cocina caliente|pese la harina con cuidado|use menos agua de la que cree}.

{Investigadores|Voluntarios|Dos estudiantes|Un pequeño equipo} de {town}
{contaron|registraron|observaron|fotografiaron} {n} {especies de aves|especies de
mariposas|musgos distintos|orquídeas silvestres} {a lo largo del canal|alrededor del
lago|junto a la antigua vía del tren|en la cantera abandonada} {esta temporada|el mes pasado|en
tres fines de semana|durante el censo}.

{name} {dirige|coordina|organiza|entrena} {el coro|el equipo de fútbol|la asociación de
huertos|el club de lectura} desde hace {casi|más de|unos|cerca de} {n} años y
{asegura|cree|repite|piensa} que {lo mejor es la gente|la paciencia es lo más
importante|siempre se aprende algo|cada temporada es distinta}.

{La nueva aplicación|El mapa gratuito|La nueva web|El folleto actualizado}
{reúne|muestra|recoge} {cada parada de autobús|cada carril bici|cada fuente pública|cada aseo
público} de {town}, {junto con|además de|con} {los horarios|fotos|notas breves|datos de
accesibilidad}.

{Una fuerte lluvia|Una helada tardía|Una larga sequía|Un viento muy fuerte}
{dañó|destrozó|tumbó|afectó} {la semana pasada|a principios de mayo|el fin de semana|la noche
del jueves} {muchas|la mayoría de las|algunas|varias} {tomateras|flores de manzano|plantas
jóvenes|hortalizas} {en los huertos urbanos|en las afueras|en las granjas de la ladera|junto a
la escuela}.

{Nuestra periodista|Nuestro fotógrafo|Nuestra columnista|Nuestro redactor} pasó {una
mañana|una tarde|dos días|un fin de semana largo} con {la tripulación del ferri|las enfermeras
del turno de noche|el equipo de la panadería|los voluntarios de salvamento} para {ver cómo se
reparte el trabajo|vivir un turno normal|entender cuánta planificación hace falta|descubrir
por qué les gusta su oficio}.

{Los niños|Los alumnos|Los visitantes|Las familias} podrán {construir cometas|probar pequeños
robots|pintar macetas de barro|doblar barcos de papel} {en el taller de la mañana|en la sesión
de la tarde|en el campamento de vacaciones|en la jornada de puertas abiertas}, {con la ayuda
de|bajo la guía de|por invitación de} {name}.

{El museo|El archivo|La vieja escuela|La asociación de historia local} de {town}
{conserva|guarda|custodia} {cartas|fotografías|mapas|diarios} de {la década de 1890|la década de
1920|la posguerra|los primeros años del ferrocarril}, y {muchos de esos
documentos|algunos de esos documentos|unos pocos} {nunca se han expuesto|aún esperan ser
catalogados|se digitalizaron hace poco|proceden de familias del pueblo}.

{Ir en bici|Caminar|Ir en tren|Compartir coche} {al trabajo|al centro|a la escuela|hasta la
costa} se ha vuelto {mucho más popular|más barato de lo esperado|más fácil que antes|una
costumbre para muchos} en {town} desde {el nuevo horario|las obras del puente|la subida del
combustible|la campaña de verano}.

{name} {recomienda|aconseja|sugiere} empezar con {un paseo corto|una receta sencilla|una bici de
segunda mano|un solo bancal de hierbas} y {avanzar poco a poco|ampliar más adelante|pedir
ayuda|tomar notas}.

Fue {el junio más lluvioso|el verano más caluroso|el invierno más tranquilo|el otoño más
ajetreado} {en muchos años|desde que hay registros|en décadas|en mucho tiempo},
{dicen|cuentan|aseguran} {los barqueros|los viejos pescadores|los tenderos|los hortelanos} de
{town}.

{Los voluntarios|Los organizadores|Los vecinos|Los empleados} {reunieron|recaudaron|juntaron}
{más de|casi|poco menos de|unos} {n}00 euros para {un tejado nuevo|el banco de alimentos|un
desfibrilador|la excursión escolar}.

{La práctica tranquila|La escucha atenta|La repetición paciente|La preparación constante}
cuenta más que {el talento|el equipo caro|las sesiones largas|la suerte},
{opina|dice|asegura} {name}.

{Hemos|Nuestro equipo ha|Dos lectores han|La redacción ha} {probado|comparado|analizado} {n}
{chubasqueros|tiendas de campaña|luces de bici|botas de montaña} {durante un mes lluvioso|en
varios fines de semana|a lo largo del otoño|en dos excursiones} y {encontrado un favorito
claro|elegido dos buenas opciones|descubierto un ganador sorprendente|no encontrado nada
perfecto}.

{El ferri|El autobús nocturno|El tren regional|El primer tranvía} a {town} {pasa ahora
cada|pasará pronto cada|pasaba antes cada|pasa de momento cada} {n} minutos {entre semana|en
hora punta|en verano|hasta medianoche}.

{Una nueva panadería|Una pequeña librería|Un taller de bicicletas|Una tetería} {ha
abierto|acaba de abrir|abrirá pronto} {en el puerto|en la plaza del mercado|en la calle
mayor|junto a la antigua estación} de {town}, {gracias a|por iniciativa de} {name}.
"""

_ES_TITLES = """
{Un paseo|Un día|Un fin de semana} {junto al río|por el canal|en el puerto|alrededor del viejo
molino} de {town}

{Cómo|Por qué} {name} {salvó|reabrió|reconstruyó} {la biblioteca del pueblo|el huerto
comunitario|el taller de reparación|el viejo cine}

{Notas sobre|Consejos para|Lecciones sobre} {la masa madre|los huertos urbanos|la bici en
invierno|la observación de aves} en {town}

{Noticias|Novedades} de {town}: {obras del puente|nuevo horario de autobuses|feria de
verano|huerto escolar}
"""

_IT = """
{In primavera|Lo scorso autunno|Durante l'estate|All'inizio dell'anno}, {name} e {alcuni|una
dozzina di|diversi} {vicini|volontari|studenti|pensionati} hanno {sistemato|riparato|
ridipinto|ripulito} il {vecchio|piccolo} {orto|ponte|parco giochi|lavatoio} di {town}.

Il {consiglio comunale|comitato della festa|consiglio di quartiere|centro giovanile} di {town}
{annuncia|conferma|comunica} che {n} nuove {panchine|rastrelliere per bici|lampade
stradali|piante da frutto} saranno {installate|aggiunte|sistemate} {prima dell'inverno|entro la
fine del mese|la prossima primavera|dopo la sagra estiva}.

{name} {spiega|sottolinea|ammette|racconta} che {una cottura lenta|una pesante padella di
ghisa|il timo fresco|un pizzico di sale affumicato} {fa la differenza|cambia tutto il piatto|è
il vero segreto|vale la fatica}, {soprattutto|specialmente} {in uno stufato|in una zuppa di
fagioli|con le verdure arrosto|con le lenticchie rosse}.

{Ogni sabato|Due volte al mese|Quasi tutte le sere|Ogni domenica mattina} il {mercato
contadino|caffè letterario|laboratorio di riparazioni|circolo degli scacchi} {di via del
Mulino|del porto|della piazza vecchia|di viale della Stazione} {attira|accoglie|riunisce}
{circa|più di|quasi} {n} {visitatori|clienti abituali|famiglie|curiosi}.

{name} {ricorda|avvisa|segnala|annuncia} che l'orario {primaverile|autunnale|invernale|estivo}
{cambia|entra in vigore|viene aggiornato} {lunedì|la prossima settimana|all'inizio del
mese|dopo le vacanze}, e che i dettagli {sono|vengono} {pubblicati|affissi} {sulla bacheca del
comune|sul sito internet|nel notiziario comunale|sulla porta della sala}.

Il {sentiero|percorso|cammino|sentiero di cresta} che porta da {town} {al fiume|al lago
artificiale|al faro|al vecchio mulino} è lungo {circa|poco più di|poco meno di|quasi} {n}
chilometri, e {lungo la strada|a metà percorso|poco prima dell'arrivo|subito all'inizio} ci sono
{due salite ripide|alcuni tratti fangosi|diverse panchine|alcune fontanelle}.

{Molti|Diversi|Alcuni|Numerosi} {lettori|soci|genitori|ascoltatori} {ci chiedono|vogliono
sapere|hanno chiesto|ci hanno scritto per sapere} {quando|perché|come} il
{vecchio|piccolo|stretto} {ponte|molo|campanile|pontile} di {town} {riaprirà|è stato chiuso|è in
ristrutturazione|ha ritrovato il tetto}.

{Il primo|L'ultimo|Il grande|Il tradizionale} {concerto|laboratorio|ballo|festival della
lettura} {in municipio|al centro civico|nella scuola del paese|nella biblioteca comunale} ha
registrato il tutto esaurito in {meno di|appena} {n} {giorni|ore}, cosa che ha
{sorpreso|rallegrato|sollevato|stupito} {name}.

Se {preparate|fate|provate} {il pane a lievitazione naturale|il pane di segale|le piadine|un
plumcake alla frutta} {a casa|per la prima volta|in un forno piccolo|nelle giornate fredde},
{lasciate riposare a lungo l'impasto|tenete calda la cucina|pesate la farina con cura|usate meno
acqua di quanto pensiate}.

{Ricercatori|Volontari|Due studentesse|Una piccola squadra} di {town} hanno
{contato|censito|osservato|fotografato} {n} {specie di uccelli|specie di farfalle|muschi
diversi|orchidee selvatiche} {lungo il canale|intorno al lago|sulla vecchia ferrovia|nella cava
abbandonata} {in questa stagione|il mese scorso|in tre fine settimana|durante il censimento}.

{name} {dirige|coordina|organizza|allena} {il coro|la squadra di calcio|l'associazione degli
orti|il gruppo di lettura} da {quasi|più di|circa} {n} anni e {assicura|crede|ripete|pensa} che
{la parte migliore siano le persone|la pazienza conti più di tutto|si impari sempre
qualcosa|ogni stagione sia diversa}.

{La nuova app|La mappa gratuita|Il nuovo sito|L'opuscolo aggiornato}
{raccoglie|mostra|elenca} {ogni fermata dell'autobus|ogni pista ciclabile|ogni fontanella|ogni
bagno pubblico} di {town}, {insieme a|oltre a|con} {gli orari|alcune foto|brevi
note|informazioni sull'accessibilità}.

{Una forte pioggia|Una gelata tardiva|Una lunga siccità|Un vento fortissimo} ha
{danneggiato|distrutto|piegato|messo alla prova} {la settimana scorsa|all'inizio di maggio|nel
fine settimana|nella notte di giovedì} {molte|la maggior parte delle|alcune|diverse} {piante di
pomodoro|fioriture di melo|siepi giovani|aiuole dell'orto} {negli orti urbani|alla
periferia|nelle fattorie in collina|vicino alla scuola}.

{La nostra giornalista|Il nostro fotografo|La nostra editorialista|Il nostro redattore} ha
trascorso {una mattina|un pomeriggio|due giorni|un lungo fine settimana} con {l'equipaggio del
traghetto|le infermiere del turno di notte|lo staff del forno|i volontari del soccorso in mare}
per {vedere come si divide il lavoro|vivere un turno normale|capire quanta organizzazione
serve|scoprire perché amano il loro mestiere}.

{I bambini|Gli alunni|I visitatori|Le famiglie} potranno {costruire aquiloni|provare piccoli
robot|dipingere vasi di terracotta|piegare barchette di carta} {nel laboratorio del
mattino|nella sessione pomeridiana|al centro estivo|durante la giornata aperta}, {guidati
da|seguiti da|con l'aiuto di} {name}.

{Il museo|L'archivio|La vecchia scuola|L'associazione di storia locale} di {town}
{conserva|custodisce|possiede} {lettere|fotografie|mappe|diari} {degli anni Novanta
dell'Ottocento|degli anni Venti|del dopoguerra|dei primi tempi della ferrovia}, e
{molti|alcuni|pochi} di questi documenti {non sono mai stati esposti|attendono ancora di essere
catalogati|sono stati digitalizzati da poco|provengono da famiglie del posto}.

{Andare in bici|Camminare|Prendere il treno|Condividere l'auto} {per andare al lavoro|per
andare in centro|per andare a scuola|fino alla costa} è diventato {molto più popolare|più
economico del previsto|più facile di prima|un'abitudine per molti} a {town} da quando {c'è il
nuovo orario|hanno riparato il ponte|è salito il prezzo del carburante|è partita la campagna
estiva}.

{name} {consiglia|suggerisce|raccomanda} di cominciare con {una breve passeggiata|una ricetta
semplice|una bici usata|una sola aiuola di erbe} e di {procedere con calma|ampliare più
avanti|chiedere aiuto|prendere appunti}.

È stato {il giugno più piovoso|l'inverno più tranquillo|l'autunno più movimentato|l'agosto più
caldo} {da molti anni|da quando esistono le misurazioni|da decenni|da tanto tempo},
{dicono|raccontano|assicurano} {i traghettatori|i vecchi pescatori|i negozianti|gli ortolani}
di {town}.

{I volontari|Gli organizzatori|I vicini|I dipendenti} hanno {raccolto|messo insieme} {più
di|quasi|poco meno di|circa} {n}00 euro per {un tetto nuovo|il banco alimentare|un
defibrillatore|la gita scolastica}.

{La pratica tranquilla|L'ascolto attento|La ripetizione paziente|La preparazione costante}
conta più {del talento|dell'attrezzatura costosa|delle sessioni lunghe|della fortuna},
{sostiene|dice|assicura} {name}.

{Abbiamo|La nostra squadra ha|Due lettori hanno|La redazione ha} {provato|confrontato|testato}
{n} {giacche impermeabili|tende|luci per bici|scarponi da trekking} {durante un mese
piovoso|in diversi fine settimana|per tutto l'autunno|in due escursioni} e {trovato un chiaro
preferito|scelto due buone opzioni|scoperto un vincitore sorprendente|non trovato nulla di
perfetto}.

{Il traghetto|L'autobus notturno|Il treno regionale|Il primo tram} per {town} {passa ora
ogni|passerà presto ogni|passava un tempo ogni|passa per ora ogni} {n} minuti {nei giorni
feriali|nelle ore di punta|d'estate|fino a mezzanotte}.

{Un nuovo forno|Una piccola libreria|Un'officina per bici|Una sala da tè} {ha aperto|ha appena
aperto|aprirà presto} {sul porto|in piazza del mercato|sulla strada principale|vicino alla
vecchia stazione} di {town}, {grazie a|per iniziativa di} {name}.
"""

_IT_TITLES = """
{Una passeggiata|Una giornata|Un fine settimana} {lungo il fiume|lungo il canale|al
porto|intorno al vecchio mulino} di {town}

{Come|Perché} {name} ha {salvato|riaperto|ricostruito} {la biblioteca del paese|l'orto
condiviso|il laboratorio di riparazioni|il vecchio cinema}

{Appunti sul|Consigli sul|Riflessioni sul} {lievito madre|giardinaggio urbano|ciclismo
invernale|birdwatching} a {town}

{Notizie|Novità} da {town}: {lavori al ponte|nuovo orario degli autobus|festa d'estate|orto
della scuola}
"""

_NL = """
{In het voorjaar|Afgelopen herfst|Deze zomer|Begin dit jaar} hebben {name} en {een paar|een
tiental|enkele} {buren|vrijwilligers|studenten|gepensioneerden} de {oude|kleine}
{moestuin|brug|speeltuin|pergola} in {town} {opgeknapt|gerepareerd|opnieuw
geverfd|schoongemaakt}.

De {gemeenteraad|dorpsraad|wijkraad|jongerenclub} van {town} {meldt|bevestigt|laat weten} dat
er {n} nieuwe {bankjes|fietsenrekken|straatlantaarns|fruitbomen} {komen|worden geplaatst} {voor
de winter|voor het einde van de maand|in het voorjaar|na het zomerfeest}.

{name} {legt uit|benadrukt|geeft toe|vertelt} dat {langzaam stoven|een zware gietijzeren
pan|verse tijm|een snufje gerookt zout} {het verschil maakt|het hele gerecht verandert|het
echte geheim is|de moeite waard is}, {vooral|zeker} {bij stoofpot|in bonensoep|bij geroosterde
groenten|met rode linzen}.

{Elke zaterdag|Twee keer per maand|De meeste avonden|Elke zondagochtend} trekt {de
boerenmarkt|de leesclub|het repaircafé|de schaakclub} {aan de Molenstraat|bij de haven|op het
oude plein|aan de Stationsweg} {ongeveer|meer dan|bijna|zo'n} {n} {bezoekers|vaste
gasten|gezinnen|nieuwsgierigen}.

{name} {herinnert eraan|meldt|laat weten|kondigt aan} dat de
{voorjaars|herfst|winter|zomer}dienstregeling {maandag|volgende week|begin volgende maand|na de
vakantie} ingaat; {alle details staan|de tijden staan|meer informatie staat} {op het
prikbord|op de website|in het wijkblad|op de deur van de zaal}.

Het {wandelpad|fietspad|jaagpad|dijkpad} van {town} naar {de rivier|het stuwmeer|de
vuurtoren|de oude molen} is {ongeveer|ruim|net geen|zo'n} {n} kilometer lang, en
{onderweg|halverwege|vlak voor het einde|meteen aan het begin} zijn er {twee steile
hellingen|een paar modderige stukken|meerdere bankjes|enkele picknicktafels}.

{Veel|Verschillende|Enkele|Talrijke} {lezers|leden|ouders|luisteraars} {vragen ons|willen
weten|hebben gevraagd|schreven ons} {wanneer|waarom|hoe} de {oude|houten|smalle|stenen}
{brug|steiger|kerktoren|aanlegplaats} in {town} {weer opengaat|werd gesloten|wordt
gerestaureerd|een nieuw dak kreeg}.

{Het eerste|Het laatste|Het grote|Het jaarlijkse} {concert|atelier|dansfeest|leesfestival} {in
het stadhuis|in het buurthuis|in de dorpsschool|in de bibliotheek} was binnen {n} {dagen|uur}
uitverkocht, wat {name} {verraste|blij maakte|opluchtte|verbaasde}.

Wie {zuurdesembrood|roggebrood|platbrood|krentenbrood} {thuis|voor het eerst|in een kleine
oven|op koude dagen} bakt, moet {het deeg lang laten rusten|de keuken warm houden|de bloem
nauwkeurig afwegen|minder water gebruiken dan gedacht}.

{Onderzoekers|Vrijwilligers|Twee studentes|Een klein team} uit {town}
{telden|registreerden|zagen|fotografeerden} {n} {vogelsoorten|vlindersoorten|soorten mos|wilde
orchideeën} {langs het kanaal|rond het meer|bij de oude spoorlijn|in de verlaten groeve} {dit
seizoen|vorige maand|in drie weekenden|tijdens de telling}.

{name} {leidt|organiseert|coördineert|traint} {het koor|het voetbalteam|de
volkstuinvereniging|de leesgroep} al {bijna|ruim|ongeveer} {n} jaar en
{zegt|vindt|benadrukt|gelooft} dat {de mensen het mooiste zijn|geduld het belangrijkste is|je
altijd bijleert|elk seizoen anders is}.

{De nieuwe app|De gratis kaart|De nieuwe website|Het bijgewerkte boekje}
{toont|verzamelt|bevat} {elke bushalte|elk fietspad|elk drinkwaterpunt|elk openbaar toilet} in
{town}, {samen met|inclusief|met} {openingstijden|foto's|korte notities|informatie over
toegankelijkheid}.

{Zware regen|Een late nachtvorst|Een lange droogte|Harde wind} {heeft|had} {vorige week|begin
mei|afgelopen weekend|in de nacht van donderdag} {veel|de meeste|enkele|een aantal}
{tomatenplanten|appelbloesems|jonge hagen|groentebedden} {in de volkstuinen|aan de rand van het
dorp|op de boerderijen op de heuvel|rond de school} {beschadigd|vernield|geknakt|aangetast}.

{Onze verslaggever|Onze fotograaf|Onze columnist|Onze redacteur} trok {een ochtend|een
middag|twee dagen|een lang weekend} op met {de bemanning van de veerboot|de
nachtverpleegkundigen|het team van de bakkerij|de vrijwillige redders} om {te zien hoe het
werk verdeeld wordt|een gewone dienst mee te maken|te begrijpen hoeveel planning nodig is|te
ontdekken waarom ze van hun vak houden}.

{Kinderen|Leerlingen|Bezoekers|Gezinnen} kunnen {vliegers bouwen|kleine robots
testen|potten beschilderen|papieren bootjes vouwen} {tijdens de ochtendsessie|in de
middagworkshop|in de vakantieclub|op de open dag}, {onder leiding van|begeleid
door|georganiseerd door} {name}.

{Het museum|Het archief|De oude school|De historische vereniging} van {town}
{bewaart|beheert|heeft} {brieven|foto's|kaarten|dagboeken} uit {de jaren 1890|de jaren
twintig|de naoorlogse jaren|de begintijd van de spoorwegen}, en {veel|sommige|enkele} daarvan
{werden nooit getoond|wachten nog op beschrijving|zijn onlangs gedigitaliseerd|komen uit
families uit de buurt}.

{Fietsen|Wandelen|De trein nemen|Autodelen} {naar het werk|naar de stad|naar school|naar de
kust} is in {town} {veel populairder|goedkoper dan verwacht|makkelijker dan vroeger|voor velen
een gewoonte} geworden sinds {de nieuwe dienstregeling|de brugreparatie|de stijging van de
brandstofprijs|de zomercampagne}.

{name} {raadt aan|adviseert|stelt voor} om te beginnen met {een korte wandeling|een eenvoudig
recept|een tweedehands fiets|één bed met kruiden} en {rustig op te bouwen|later uit te
breiden|om hulp te vragen|aantekeningen te maken}.

Het was {de natste juni|de warmste zomer|de rustigste winter|de drukste herfst} {in
jaren|sinds het begin van de metingen|in decennia|in lange tijd}, {zeggen|vertellen|verzekeren}
{de veermannen|de oude vissers|de winkeliers|de tuinders} van {town}.

{De vrijwilligers|De organisatoren|De buren|De medewerkers} haalden {meer dan|bijna|net
geen|ongeveer} {n}00 euro op voor {een nieuw dak|de voedselbank|een AED|het schoolreisje}.

{Rustig oefenen|Aandachtig luisteren|Geduldig herhalen|Regelmatig voorbereiden} telt zwaarder
dan {talent|dure uitrusting|lange sessies|geluk}, {vindt|zegt|meent} {name}.

{We hebben|Ons team heeft|Twee lezers hebben|De redactie heeft} {n}
{regenjassen|tenten|fietslampjes|wandelschoenen} {een natte maand lang|tijdens meerdere
weekenden|een hele herfst|op twee trektochten} {getest|vergeleken|uitgeprobeerd} en {een
duidelijke favoriet gevonden|twee goede opties gekozen|een verrassende winnaar
aangewezen|niets perfects gevonden}.

{De sneltram|De nachtbus|De stoptrein|De eerste tram} naar {town} {rijdt nu elke|rijdt
binnenkort elke|reed vroeger elke|rijdt voorlopig elke} {n} minuten {op werkdagen|in de
spits|in de zomer|tot middernacht}.

{Een nieuwe bakkerij|Een kleine boekhandel|Een fietsenwerkplaats|Een theehuis} {is
geopend|is net open|gaat binnenkort open} {aan de haven|op de markt|aan de hoofdstraat|naast
het oude station} van {town}, {dankzij|op initiatief van} {name}.
"""

_NL_TITLES = """
{Een wandeling|Een dag|Een weekend} {langs de rivier|langs het kanaal|bij de haven|rond de oude
molen} in {town}

{Hoe|Waarom} {name} {de dorpsbibliotheek|de buurtmoestuin|het repaircafé|de oude bioscoop}
{redde|heropende|opnieuw opbouwde}

{Notities over|Tips voor|Lessen over} {zuurdesem|volkstuinieren|fietsen in de winter|vogels
kijken} in {town}

{Nieuws|Laatste nieuws} uit {town}: {brugreparatie|nieuwe dienstregeling|zomerfeest|schooltuin}
"""

_PT = """
{Na primavera|No outono passado|Durante o verão|No início do ano}, {name} e {alguns|uma dúzia
de|vários} {vizinhos|voluntários|estudantes|reformados} {arranjaram|repararam|pintaram|
limparam} o {velho|pequeno} {quintal comunitário|pontão|parque infantil|lavadouro} de {town}.

A {câmara municipal|comissão de festas|junta de freguesia|associação juvenil} de {town}
{anuncia|confirma|informa} que {serão instalados|vão ser colocados} {n} {bancos
novos|suportes para bicicletas|candeeiros novos|bebedouros} {antes do inverno|até ao fim do
mês|na próxima primavera|depois da feira de verão}.

{name} {explica|sublinha|admite|conta} que {uma cozedura lenta|uma frigideira de ferro
fundido|o tomilho fresco|uma pitada de sal fumado} {faz toda a diferença|muda o prato
inteiro|é o verdadeiro segredo|vale o esforço}, {sobretudo|especialmente} {num guisado|numa
sopa de feijão|com legumes assados|com lentilhas vermelhas}.

{Todos os sábados|Duas vezes por mês|Quase todas as noites|Todos os domingos de manhã}, o
{mercado de produtores|café de leitura|café de reparações|clube de xadrez} {da rua do
Moinho|do porto|da praça velha|da avenida da Estação} {atrai|recebe|junta} {cerca de|mais
de|quase} {n} {visitantes|clientes habituais|famílias|curiosos}.

O {trilho|caminho|percurso ribeirinho|trilho da serra} que liga {town} {ao rio|à barragem|ao
farol|ao velho moinho} tem {cerca de|pouco mais de|pouco menos de|quase} {n} quilómetros, e
{pelo caminho|a meio do percurso|mesmo antes da chegada|logo no início} há {duas subidas
íngremes|alguns troços lamacentos|vários bancos|um pequeno café}.

{Muitos|Vários|Alguns|Inúmeros} {leitores|sócios|pais|ouvintes} {perguntam-nos|querem
saber|perguntaram|escreveram-nos para saber} {quando|como} a {velha|pequena|estreita}
{ponte|doca|torre do relógio|estação} de {town} {vai reabrir|foi fechada|está em
obras|recebeu um telhado novo}.

{O primeiro|O último|O grande|O tradicional} {concerto|workshop|baile|festival de leitura} {na
câmara|no centro cultural|na escola da aldeia|na biblioteca municipal} esgotou em {menos
de|apenas} {n} {dias|horas}, o que {surpreendeu|alegrou|aliviou|espantou} {name}.

{Investigadores|Voluntários|Duas estudantes|Uma pequena equipa} de {town}
{contaram|registaram|observaram|fotografaram} {n} {espécies de aves|espécies de
borboletas|musgos diferentes|orquídeas selvagens} {ao longo do canal|à volta do lago|junto à
antiga linha férrea|na pedreira abandonada} {nesta época|no mês passado|em três fins de
semana|durante o censo}.

{name} {dirige|coordena|organiza|treina} {o coro|a equipa de futebol|a associação de hortas|o
clube de leitura} há {quase|mais de|cerca de} {n} anos e {garante|acredita|repete|acha} que {o
melhor são as pessoas|a paciência é o mais importante|se aprende sempre alguma coisa|cada
estação é diferente}.

{Uma chuva forte|Uma geada tardia|Uma longa seca|Um vento muito forte}
{danificou|destruiu|derrubou|afetou} {na semana passada|no início de maio|no fim de semana|na
noite de quinta-feira} {muitos|a maioria dos|alguns|vários} {tomateiros|canteiros|arbustos
jovens|pés de alface} {nas hortas urbanas|nos arredores|nas quintas da encosta|junto à escola}.

{Ir de bicicleta|Andar a pé|Apanhar o comboio|Partilhar o carro} {para o trabalho|para o
centro|para a escola|até à costa} tornou-se {muito mais popular|mais barato do que se
esperava|mais fácil do que antes|um hábito para muitos} em {town} desde {o novo horário|as
obras da ponte|a subida dos combustíveis|a campanha de verão}.

{name} {recomenda|aconselha|sugere} começar com {um passeio curto|uma receita simples|uma
bicicleta em segunda mão|um só canteiro de ervas} e {avançar devagar|alargar mais tarde|pedir
ajuda|tomar notas}.

{Os voluntários|Os organizadores|Os vizinhos|Os funcionários} {juntaram|angariaram|reuniram}
{mais de|quase|pouco menos de|cerca de} {n}00 euros para {um telhado novo|o banco alimentar|um
desfibrilhador|a visita de estudo}.

{Uma nova padaria|Uma pequena livraria|Uma oficina de bicicletas|Uma casa de chá}
{abriu|acaba de abrir|vai abrir em breve} {no porto|na praça do mercado|na rua principal|junto
à antiga estação} de {town}, {graças a|por iniciativa de} {name}.
"""

_PT_TITLES = """
{Um passeio|Um dia|Um fim de semana} {junto ao rio|ao longo do canal|no porto|à volta do velho
moinho} de {town}

{Como|Porque} {name} {salvou|reabriu|reconstruiu} {a biblioteca da aldeia|a horta
comunitária|o café de reparações|o velho cinema}

{Notícias|Novidades} de {town}: {obras na ponte|novo horário dos autocarros|festa de
verão|horta da escola}
"""

# Polish and Russian templates keep names and places in nominative positions ("w miejscowości
# X", "в городе X") and write distances as "km", so no filler needs inflecting.
_PL = """
{Wiosną|Zeszłej jesieni|Latem|Na początku roku} {name} i {kilku|kilkunastu|paru}
{sąsiadów|wolontariuszy|studentów|emerytów} {odnowili|naprawili|pomalowali|uporządkowali}
{stary ogród|mały most|plac zabaw|dawną pralnię} w miejscowości {town}.

{Rada gminy|Komitet festynu|Rada osiedla|Klub młodzieżowy} w miejscowości {town}
{informuje|potwierdza|zapowiada}, że {przed zimą|do końca miesiąca|na wiosnę|po letnim
festynie} {pojawią się nowe ławki|staną nowe stojaki na rowery|zamontowane zostaną nowe
latarnie|posadzone zostaną drzewa owocowe}.

{name} {wyjaśnia|podkreśla|przyznaje|opowiada}, że {powolne duszenie|ciężka żeliwna
patelnia|świeży tymianek|szczypta wędzonej soli} {robi całą różnicę|zmienia całe danie|to
prawdziwy sekret|naprawdę się opłaca}, {zwłaszcza|szczególnie} {w gulaszu|w zupie
fasolowej|przy pieczonych warzywach|z czerwoną soczewicą}.

{W każdą sobotę|Dwa razy w miesiącu|Prawie każdego wieczoru|W każdą niedzielę rano} {targ
rolników|kawiarnia z książkami|kawiarnia naprawcza|klub szachowy} {przy ulicy Młyńskiej|w
porcie|na starym rynku|przy alei Dworcowej} {przyciąga|gromadzi} {tłumy|wielu|sporo}
{gości|stałych bywalców|rodzin|ciekawskich}.

{Szlak|Ścieżka|Droga wzdłuż rzeki|Grzbietowy szlak} z miejscowości {town} {do rzeki|nad
zalew|do latarni morskiej|do starego młyna} {ma|liczy} {około|nieco ponad|niecałe|prawie} {n}
km, a {po drodze|w połowie trasy|tuż przed metą|na samym początku} {są|czekają} {dwa strome
podejścia|błotniste odcinki|liczne ławki|małe kawiarnie}.

{Czytelnicy|Członkowie|Rodzice|Słuchacze} {pytają|chcą wiedzieć|dopytują|piszą do nas z
pytaniem}, {kiedy|dlaczego|jak długo} {stary most|drewniany pomost|zegar na ratuszu|dworzec} w
miejscowości {town} {będzie zamknięty|był nieczynny|przechodzi remont|czeka na nowy dach}.

{Pierwszy|Ostatni|Wielki|Coroczny} {koncert|warsztat|bal|festiwal czytania} {w ratuszu|w domu
kultury|w wiejskiej szkole|w bibliotece miejskiej} {wyprzedał się|był wyprzedany} w {kilka
dni|kilka godzin|jeden weekend|dwa dni}, co {zaskoczyło|ucieszyło|uspokoiło|zdziwiło}
organizatorów.

{Badacze|Wolontariusze|Dwaj studenci|Pracownicy muzeum} z miejscowości {town}
{policzyli|zarejestrowali|zaobserwowali|sfotografowali} {dziesiątki gatunków ptaków|wiele
gatunków motyli|rzadkie mchy|dzikie storczyki} {wzdłuż kanału|wokół jeziora|przy starej linii
kolejowej|w opuszczonym kamieniołomie} {w tym sezonie|w zeszłym miesiącu|w trzy
weekendy|podczas liczenia}.

{name} {prowadzi|organizuje|koordynuje|trenuje} {chór|drużynę piłkarską|stowarzyszenie
działkowców|klub książki} od {prawie|ponad|około} {n} lat i {mówi|uważa|powtarza|podkreśla}, że
{najważniejsi są ludzie|cierpliwość liczy się najbardziej|zawsze można się czegoś
nauczyć|każdy sezon jest inny}.

{Ulewny deszcz|Późny przymrozek|Długi okres suszy|Silny wiatr} {w zeszłym tygodniu|na
początku maja|w weekend|w nocy z czwartku na piątek} {uszkodził|zniszczył|połamał|przetrzebił}
{wiele krzaków pomidorów|kwiaty jabłoni|młode żywopłoty|warzywne grządki} {na działkach|na
obrzeżach miasta|w gospodarstwach na zboczu|przy szkole}.

Coraz więcej mieszkańców miejscowości {town} {jeździ rowerem|chodzi pieszo|dojeżdża
pociągiem|dzieli się samochodem} {do pracy|do centrum|do szkoły|nad morze}, {zwłaszcza od
czasu|szczególnie od czasu} {nowego rozkładu jazdy|remontu mostu|wzrostu cen paliwa|letniej
kampanii}.

{name} {radzi|poleca|sugeruje}, żeby zacząć od {krótkiego spaceru|prostego
przepisu|używanego roweru|jednej grządki z ziołami} i {powoli zwiększać tempo|później coś
dodać|poprosić o pomoc|robić notatki}.

{Wolontariusze|Organizatorzy|Sąsiedzi|Pracownicy} {zebrali|uzbierali} {ponad|prawie|niemal|
około} {n}00 złotych na {nowy dach|bank żywności|defibrylator|wycieczkę szkolną}.

{Nowa piekarnia|Mała księgarnia|Rowerowa pracownia|Herbaciarnia} {została otwarta|właśnie
ruszyła|wkrótce ruszy} {przy porcie|na rynku|przy głównej ulicy|obok starego dworca} w
miejscowości {town}.
"""

_PL_TITLES = """
{Spacer|Dzień|Weekend} {nad rzeką|wzdłuż kanału|w porcie|przy starym młynie} w miejscowości
{town}

{Jak|Dlaczego} {mieszkańcy|sąsiedzi|wolontariusze} {uratowali|odnowili|odbudowali} {wiejską
bibliotekę|ogród społeczny|kawiarnię naprawczą|stare kino}

{Wiadomości|Aktualności} z gminy {town}: {remont mostu|nowy rozkład jazdy|letni
festyn|szkolny ogród}
"""

_RU = """
{Весной|Прошлой осенью|Этим летом|В начале года} {name} и {несколько|десяток|пара}
{соседей|волонтёров|студентов|пенсионеров} {привели в порядок|отремонтировали|покрасили|убрали}
{старый сад|маленький мост|детскую площадку|старую прачечную} в городе {town}.

{Городской совет|Оргкомитет праздника|Совет района|Молодёжный клуб} города {town}
{сообщает|подтверждает|объявляет}, что {до зимы|до конца месяца|следующей весной|после летней
ярмарки} {появятся новые скамейки|установят новые велопарковки|заменят уличные
фонари|посадят фруктовые деревья}.

{name} {объясняет|подчёркивает|признаётся|рассказывает}, что {медленное тушение|тяжёлая
чугунная сковорода|свежий тимьян|щепотка копчёной соли} {меняет всё блюдо|решает всё|и есть
главный секрет|стоит затраченных усилий}, {особенно|прежде всего} {в рагу|в фасолевом супе|с
запечёнными овощами|с красной чечевицей}.

{Каждую субботу|Дважды в месяц|Почти каждый вечер|Каждое воскресенье утром} {фермерский
рынок|книжное кафе|мастерская по ремонту|шахматный клуб} {на Мельничной улице|в порту|на
старой площади|на Вокзальном проспекте} {собирает|привлекает} {множество|немало|десятки}
{гостей|постоянных посетителей|семей|любопытных}.

{Тропа|Дорога|Прогулочный маршрут|Горная тропа} от города {town} {до реки|до
водохранилища|до маяка|до старой мельницы} {тянется|идёт} {примерно|чуть больше|чуть
меньше|почти} на {n} км, а {по пути|на полпути|перед самым финишем|в самом начале}
{есть|встречаются} {крутые подъёмы|грязные участки|удобные скамейки|небольшие кафе}.

{Читатели|Участники|Родители|Слушатели} {спрашивают нас|хотят знать|часто спрашивают|пишут
нам и спрашивают}, {когда|почему|как долго} {старый мост|деревянный причал|городской
вокзал|речной порт} в городе {town} {будет закрыт|был закрыт|находится на ремонте|ждёт новую
крышу}.

Билеты на {первый|последний|большой|ежегодный} {концерт|мастер-класс|бал|фестиваль чтения} {в
ратуше|в доме культуры|в сельской школе|в городской библиотеке} {разошлись|закончились} {за
несколько дней|за пару часов|за один вечер|за два дня}, что {удивило|обрадовало|успокоило}
организаторов.

{Исследователи|Волонтёры|Двое студентов|Сотрудники музея} из города {town}
{насчитали|зарегистрировали|наблюдали|сфотографировали} {десятки видов птиц|множество видов
бабочек|редкие мхи|дикие орхидеи} {вдоль канала|вокруг озера|у старой железной дороги|в
заброшенном карьере} {в этом сезоне|в прошлом месяце|за три выходных|во время учёта}.

{name} уже {почти|более|около} {n} лет {руководит хором|тренирует футбольную
команду|возглавляет общество садоводов|ведёт книжный клуб} и {говорит|считает|повторяет|
подчёркивает}, что {главное — это люди|терпение важнее всего|учиться можно всегда|каждый сезон
не похож на предыдущий}.

{На прошлой неделе|В начале мая|В выходные|В ночь на пятницу} {сильный дождь|поздний
заморозок|ураганный ветер|град} {повредил|погубил|поломал} {много кустов томатов|цветы
яблонь|молодые живые изгороди|овощные грядки} {на дачных участках|на окраине города|на фермах
на склоне|у школы}.

Всё больше жителей города {town} {ездят на велосипеде|ходят пешком|ездят на поезде|ездят на
электричке} {на работу|в центр|в школу|к морю}, {особенно|в основном} после {нового
расписания|ремонта моста|роста цен на бензин|летней кампании}.

{name} {советует|рекомендует|предлагает} начать с {короткой прогулки|простого
рецепта|подержанного велосипеда|одной грядки с травами} и {постепенно увеличивать
нагрузку|потом добавить что-то ещё|попросить о помощи|вести записи}.

{Волонтёры|Организаторы|Соседи|Сотрудники} {собрали|накопили} {более|почти|около} {n}000
рублей на {новую крышу|продовольственный банк|дефибриллятор|школьную экскурсию}.

{Новая пекарня|Небольшая книжная лавка|Велосипедная мастерская|Чайная} {открылась|только что
открылась|скоро откроется} {в порту|на рыночной площади|на главной улице|рядом со старым
вокзалом} города {town}.
"""

_RU_TITLES = """
{Прогулка|Один день|Выходные} {вдоль реки|вдоль канала|в порту|у старой мельницы}: город {town}

{Новости|События} города {town}: {ремонт моста|новое расписание автобусов|летний
праздник|школьный сад}

Как {соседи|волонтёры|жители} {спасли|открыли заново|восстановили} {сельскую
библиотеку|общественный сад|ремонтное кафе|старый кинотеатр}
"""

_JA = """
{春に|去年の秋に|この夏|年の初めに}、{name}さんと{近所の人たち|ボランティア|学生たち|退職した先生たち}が
{town}の{古い庭|小さな橋|公園|図書室}を{修理しました|きれいにしました|塗り直しました|整えました}。

{town}の{町議会|祭りの実行委員会|自治会|青年クラブ}によると、{冬までに|今月末までに|来年の春に|夏祭りの後に}
{新しいベンチ|自転車置き場|街灯|果物の木}が{設置される|増える|整備される}予定です。

{name}さんは、{じっくり煮込むこと|重い鉄のフライパン|新鮮なタイム|ひとつまみの燻製塩}が
{味を大きく変える|料理の決め手になる|本当の秘訣だ|手間をかける価値がある}と{説明します|話しています|語ります}。

{毎週土曜日|月に二回|ほとんど毎晩|毎週日曜日の朝}、{水車通り|港|旧広場|駅前通り}の
{朝市|読書カフェ|修理カフェ|将棋クラブ}には{多くの|たくさんの|大勢の}{来場者|常連客|家族連れ|見物客}が
{集まります|訪れます}。

{town}から{川|ダム湖|灯台|古い水車小屋}までの{遊歩道|小道|川沿いの道|尾根道}は{約|およそ|ほぼ}{n}キロで、
{途中に|中間地点に|ゴールの手前に|出発地点の近くに}{急な上り坂|ぬかるんだ場所|ベンチ|小さなカフェ}があります。

{多くの|何人かの|たくさんの}{読者|会員|保護者|リスナー}から、{town}の{古い橋|木の桟橋|時計台|駅舎}が
{いつ再開するのか|なぜ閉鎖されたのか|いつ修理が終わるのか}という{質問|問い合わせ}が{届いています|寄せられています}。

{市役所|公民館|村の学校|市立図書館}で{開かれた|行われた}{最初の|恒例の|今年の}
{コンサート|ワークショップ|ダンスパーティー|朗読会}は、{わずか|}{n}{日|時間}で{満席になり|売り切れになり}、
{name}さんを{驚かせました|喜ばせました}。

{研究者|ボランティア|二人の学生|小さなチーム}が{運河沿い|湖の周り|旧線路跡|古い採石場}で
{n}種類の{鳥|チョウ|コケ|野生のラン}を{数えました|記録しました|観察しました|撮影しました}。

{name}さんは{n}年{近く|以上}、{合唱団|サッカーチーム|市民農園の会|読書会}を{まとめて|指導して|運営して}きました。
{一番大切なのは人だ|忍耐が何より大事だ|学ぶことに終わりはない|季節ごとに違う楽しみがある}と{言います|話します}。

{先週|五月の初めに|週末に|木曜日の夜に}、{大雨|遅霜|長い日照り|強い風}で
{市民農園|町の外れ|丘の上の農家|学校の周り}の{トマト|リンゴの花|若い生け垣|野菜の畑}が
{被害を受けました|傷みました|倒れました}。

{自転車通勤|徒歩での通学|電車での移動|カーシェア}は、{新しい時刻表|橋の修理|燃料価格の上昇|夏のキャンペーン}を
きっかけに、{town}で{ずっと人気になりました|思ったより安くなりました|以前より便利になりました|多くの人の習慣になりました}。

{name}さんは、まず{短い散歩|簡単なレシピ|中古の自転車|小さなハーブの畑}から始めて、
{少しずつ慣れること|後で広げること|周りに助けを求めること|記録をつけること}を{勧めています|提案しています}。

{ボランティア|主催者|近所の人たち|職員}は{n}万円{以上|近く}を集め、{新しい屋根|フードバンク|AED|学校の遠足}の
費用に{充てました|寄付しました}。

{town}の{港|市場広場|大通り|旧駅の隣}に、{新しいパン屋|小さな本屋|自転車工房|喫茶店}が
{オープンしました|開店しました|もうすぐ開店します}。
"""

_JA_TITLES = """
{town}の{川沿い|運河沿い|港|古い水車小屋}を{歩く|訪ねる}{一日|週末}

{town}からのお知らせ：{橋の修理|新しいバス時刻表|夏祭り|学校菜園}

{name}さんが{村の図書館|市民菜園|修理カフェ|古い映画館}を{救った|再開した}理由
"""


@dataclass(frozen=True, slots=True)
class _Site:
    host: str
    name: str
    server: str


@dataclass(frozen=True, slots=True)
class _Lang:
    code: str
    iso3: str
    joiner: str
    sentences: str
    titles: str
    names: tuple[str, ...]
    towns: tuple[str, ...]
    numbers: tuple[int, int]
    nav: tuple[str, ...]
    cookie: str
    accept: str
    rights: str
    links: tuple[str, ...]
    by: str
    accept_language: str
    sites: tuple[_Site, ...]


# A data table: one language per entry, kept compact on purpose.
# fmt: off
_LANGS: dict[str, _Lang] = {
    "en": _Lang(
        "en", "eng", " ", _EN, _EN_TITLES,
        ("Maya Thornbury", "Owen Castell", "Priya Hallam", "Daniel Okafor", "Ruth Penhallow",
         "Samuel Greaves", "Aisha Marchetti", "Liam Fairbairn", "Grace Whitlock", "Tomás Ridley",
         "Hannah Stroud", "Kwame Ashdown"),
        ("Ashcombe", "Little Brenford", "Marrowby", "Eastwick Vale", "Hollin Bridge", "Stanmere",
         "Coldharbour Green", "Fennick", "Wrayford", "Saltmarsh End"),
        (3, 40),
        ("Home", "News", "Events", "About us", "Contact"),
        "We use cookies to improve your experience on our site. By continuing to browse, you "
        "agree to our use of cookies.",
        "Accept all", "All rights reserved.", ("Privacy policy", "Terms of use", "Contact"),
        "By", "en-GB,en;q=0.8",
        (_Site("ashcombe-courier.example.com", "The Ashcombe Courier", "nginx/1.24.0"),
         _Site("greenhollow-allotments.example.org", "Greenhollow Allotment Society",
               "Apache/2.4.58 (Debian)"),
         _Site("trailnotes.example.net", "Trail Notes", "nginx"),
         _Site("kitchen-ledger.example.com", "The Kitchen Ledger", "cloudfront"),
         _Site("riverside-library.example.org", "Friends of Riverside Library", "nginx/1.22.1"),
         _Site("quietbytes.example.net", "Quiet Bytes", "Caddy")),
    ),
    "de": _Lang(
        "de", "deu", " ", _DE, _DE_TITLES,
        ("Lena Brückner", "Jonas Weidemann", "Sabine Rothkirch", "Murat Aksoy",
         "Klara Hollenbeck", "Felix Dannemann", "Ingrid Salzmann", "Tobias Ehrhardt",
         "Mia Kowalczyk", "Paul Feldhaus"),
        ("Lindenau", "Birkenfelde", "Oberwalden", "Kleinmühlbach", "Hasselbrück", "Tannheide",
         "Rosenfurt", "Eichenrode", "Steinbergen"),
        (3, 40),
        ("Startseite", "Aktuelles", "Termine", "Über uns", "Kontakt"),
        "Wir verwenden Cookies, um Ihnen die bestmögliche Nutzung unserer Webseite zu "
        "ermöglichen. Mit der weiteren Nutzung stimmen Sie dem zu.",
        "Alle akzeptieren", "Alle Rechte vorbehalten.", ("Datenschutz", "Impressum", "Kontakt"),
        "Von", "de-DE,de;q=0.9,en;q=0.5",
        (_Site("lindenauer-bote.example.com", "Lindenauer Bote", "nginx/1.24.0"),
         _Site("gartenfreunde-birkenfelde.example.org", "Gartenfreunde Birkenfelde",
               "Apache/2.4.58 (Debian)"),
         _Site("wanderwege.example.net", "Wanderwege im Tal", "nginx")),
    ),
    "fr": _Lang(
        "fr", "fra", " ", _FR, _FR_TITLES,
        ("Camille Dufresne", "Julien Marchal", "Inès Bellanger", "Hugo Lefranc", "Léa Courtois",
         "Mathieu Vasseur", "Amina Touré", "Claire Beaulieu", "Antoine Ravel", "Sophie Garnier"),
        ("Saint-Aubin-des-Prés", "Montclair-les-Vignes", "Belleforge", "Rochebrune-sur-Loue",
         "Fontclaire", "Beauvallon-le-Haut", "Moulinet-sur-Aure"),
        (3, 40),
        ("Accueil", "Actualités", "Agenda", "À propos", "Contact"),
        "Nous utilisons des cookies pour améliorer votre expérience. En poursuivant votre "
        "navigation, vous acceptez leur utilisation.",
        "Tout accepter", "Tous droits réservés.",
        ("Politique de confidentialité", "Mentions légales", "Contact"),
        "Par", "fr-FR,fr;q=0.9,en;q=0.5",
        (_Site("echo-de-belleforge.example.com", "L'Écho de Belleforge", "nginx/1.24.0"),
         _Site("jardins-partages.example.org", "Jardins partagés de Fontclaire", "Apache/2.4.58"),
         _Site("carnet-de-route.example.net", "Carnet de route", "nginx")),
    ),
    "es": _Lang(
        "es", "spa", " ", _ES, _ES_TITLES,
        ("Lucía Ferrández", "Javier Olmedo", "Carmen Villalba", "Diego Santamaría",
         "Marta Iriarte", "Pablo Escudero", "Nuria Calvet", "Andrés Robledo", "Elena Sotomayor",
         "Raúl Quintana"),
        ("Villarreal del Monte", "San Lorenzo de la Vega", "Puebla de Almendros", "Valdeflores",
         "Torremolinar", "Fuentesol", "Navalmoral de la Sierra"),
        (3, 40),
        ("Inicio", "Noticias", "Agenda", "Quiénes somos", "Contacto"),
        "Utilizamos cookies para mejorar su experiencia. Si continúa navegando, acepta su uso.",
        "Aceptar todas", "Todos los derechos reservados.",
        ("Política de privacidad", "Aviso legal", "Contacto"),
        "Por", "es-ES,es;q=0.9,en;q=0.5",
        (_Site("gaceta-valdeflores.example.com", "La Gaceta de Valdeflores", "nginx/1.24.0"),
         _Site("huertos-fuentesol.example.org", "Huertos de Fuentesol", "Apache/2.4.58"),
         _Site("rutas-y-caminos.example.net", "Rutas y caminos", "nginx")),
    ),
    "it": _Lang(
        "it", "ita", " ", _IT, _IT_TITLES,
        ("Giulia Ferraresi", "Marco Bellandi", "Chiara Montalto", "Luca Pellegrini",
         "Francesca Arnaldi", "Davide Morosini", "Elena Baldacci", "Matteo Guarneri",
         "Sara Lombardini", "Paolo Vescovi"),
        ("Borgo San Vitale", "Castelfiore", "Valmorena", "San Pietro in Colle", "Pontelungo",
         "Monteverde Alto", "Casalnuovo di Sopra"),
        (3, 40),
        ("Home", "Notizie", "Eventi", "Chi siamo", "Contatti"),
        "Utilizziamo i cookie per migliorare la tua esperienza. Continuando la navigazione "
        "accetti il loro utilizzo.",
        "Accetta tutti", "Tutti i diritti riservati.", ("Privacy", "Note legali", "Contatti"),
        "Di", "it-IT,it;q=0.9,en;q=0.5",
        (_Site("corriere-castelfiore.example.com", "Il Corriere di Castelfiore", "nginx/1.24.0"),
         _Site("orti-valmorena.example.org", "Orti di Valmorena", "Apache/2.4.58"),
         _Site("sentieri-aperti.example.net", "Sentieri aperti", "nginx")),
    ),
    "nl": _Lang(
        "nl", "nld", " ", _NL, _NL_TITLES,
        ("Sanne Verhoeven", "Joris van Dalen", "Femke Brouwer", "Bram Hoogeveen", "Lotte Mulder",
         "Daan Kuipers", "Noor Haddou", "Pieter Zwart", "Eva Smits", "Ruben Terpstra"),
        ("Oosterveen", "Wilgendam", "Nieuw-Heemstra", "Rietbroek", "Zandhoven", "Lindewijk",
         "Kraaienburg", "Westerhaar"),
        (3, 40),
        ("Home", "Nieuws", "Agenda", "Over ons", "Contact"),
        "Wij gebruiken cookies om uw ervaring te verbeteren. Door verder te surfen gaat u "
        "akkoord met het gebruik ervan.",
        "Alles accepteren", "Alle rechten voorbehouden.",
        ("Privacybeleid", "Disclaimer", "Contact"),
        "Door", "nl-NL,nl;q=0.9,en;q=0.5",
        (_Site("wilgendamse-courant.example.com", "Wilgendamse Courant", "nginx/1.24.0"),
         _Site("buurtmoestuin.example.org", "Buurtmoestuin Rietbroek", "Apache/2.4.58"),
         _Site("fietsroutes.example.net", "Fietsroutes van het noorden", "nginx")),
    ),
    "pt": _Lang(
        "pt", "por", " ", _PT, _PT_TITLES,
        ("Inês Carvalhal", "Tiago Mourão", "Beatriz Quaresma", "Rui Sampaio", "Marta Gouveia",
         "João Albuquerque", "Catarina Lobo", "Miguel Teixeira"),
        ("Vila Nova do Ribeiro", "Santa Clara da Serra", "Pinhal do Vale", "Fontelonga",
         "Alcaria Velha"),
        (3, 40),
        ("Início", "Notícias", "Agenda", "Sobre nós", "Contacto"),
        "Utilizamos cookies para melhorar a sua experiência. Ao continuar a navegar, aceita a "
        "sua utilização.",
        "Aceitar todos", "Todos os direitos reservados.",
        ("Privacidade", "Termos de utilização", "Contacto"),
        "Por", "pt-PT,pt;q=0.9,en;q=0.5",
        (_Site("jornal-fontelonga.example.com", "Jornal de Fontelonga", "nginx/1.24.0"),
         _Site("hortas-do-vale.example.org", "Hortas do Vale", "Apache/2.4.58")),
    ),
    "pl": _Lang(
        "pl", "pol", " ", _PL, _PL_TITLES,
        ("Anna Wiśniewska", "Piotr Zieliński", "Katarzyna Mazur", "Tomasz Wróbel",
         "Magdalena Kaczmarek", "Michał Sikora", "Joanna Pawlak", "Krzysztof Duda"),
        ("Zielonka Dolna", "Brzozowice", "Stare Kłodno", "Jodłowo", "Lipnica Wielka"),
        (3, 40),
        ("Strona główna", "Aktualności", "Wydarzenia", "O nas", "Kontakt"),
        "Używamy plików cookie, aby ułatwić korzystanie z serwisu. Dalsze korzystanie oznacza "
        "zgodę na ich użycie.",
        "Akceptuję", "Wszelkie prawa zastrzeżone.",
        ("Polityka prywatności", "Regulamin", "Kontakt"),
        "Autor:", "pl-PL,pl;q=0.9,en;q=0.5",
        (_Site("gazeta-brzozowice.example.com", "Gazeta Brzozowicka", "nginx/1.24.0"),
         _Site("dzialkowcy-jodlowo.example.org", "Działkowcy z Jodłowa", "Apache/2.4.58")),
    ),
    "ru": _Lang(
        "ru", "rus", " ", _RU, _RU_TITLES,
        ("Анна Соколова", "Дмитрий Орлов", "Елена Кузнецова", "Сергей Морозов", "Ольга Белова",
         "Иван Лебедев", "Мария Волкова", "Алексей Павлов"),
        ("Берёзовка", "Каменск-Озёрный", "Ольховка", "Тихореченск", "Ясногорье"),
        (5, 20),
        ("Главная", "Новости", "Афиша", "О нас", "Контакты"),
        "Мы используем файлы cookie, чтобы сайт работал удобнее. Продолжая просмотр, вы "
        "соглашаетесь с их использованием.",
        "Принять", "Все права защищены.",
        ("Политика конфиденциальности", "Условия использования", "Контакты"),
        "Автор:", "ru-RU,ru;q=0.9,en;q=0.5",
        (_Site("vestnik-olkhovka.example.com", "Вестник Ольховки", "nginx/1.24.0"),
         _Site("sadovody-yasnogorye.example.org", "Садоводы Ясногорья", "Apache/2.4.58")),
    ),
    "ja": _Lang(
        "ja", "jpn", "", _JA, _JA_TITLES,
        ("佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "山本", "中村"),
        ("桜川町", "緑ヶ丘", "白浜市", "若葉台", "青葉町"),
        (2, 30),
        ("ホーム", "ニュース", "イベント", "私たちについて", "お問い合わせ"),
        "当サイトでは、利便性向上のためにクッキーを使用しています。閲覧を続けることで、"
        "クッキーの使用に同意したものとみなされます。",
        "同意する", "無断転載を禁じます。", ("プライバシーポリシー", "利用規約", "お問い合わせ"),
        "文：", "ja-JP,ja;q=0.9,en;q=0.5",
        (_Site("sakuragawa-times.example.com", "桜川タイムズ", "nginx/1.24.0"),
         _Site("midorigaoka-garden.example.org", "緑ヶ丘ガーデン倶楽部", "Apache/2.4.58")),
    ),
}
# fmt: on
LANGUAGES: tuple[str, ...] = tuple(_LANGS)
# Share of each language among generated articles in the scaled corpus.
_LANGUAGE_MIX = {
    "en": 40,
    "de": 12,
    "fr": 10,
    "es": 10,
    "it": 7,
    "nl": 6,
    "pt": 5,
    "pl": 4,
    "ru": 3,
    "ja": 3,
}

_FIELD = re.compile(r"\{([^{}]*)\}")
_WORD = re.compile(r"\w+")
_OPTION_SPACE = re.compile(r" *\| *|\{ +| +\}")

# ---------------------------------------------------------------------------------------------
# Text generation
# ---------------------------------------------------------------------------------------------

_Template = tuple[str | tuple[str, ...], ...]


def _blocks(text: str, joiner: str) -> tuple[str, ...]:
    """Split a template block on blank lines; lines of one template are joined by `joiner`."""
    chunks = (chunk.strip() for chunk in text.strip().split("\n\n"))
    joined = (joiner.join(line.strip() for line in c.splitlines()) for c in chunks if c)
    # A line may break right after "|" or "{"; no alternative starts or ends with a space.
    return tuple(_OPTION_SPACE.sub(lambda m: m.group().strip(), t) for t in joined)


def _compile(template: str, lang: _Lang) -> _Template:
    parts: list[str | tuple[str, ...]] = []
    pos = 0
    for match in _FIELD.finditer(template):
        parts.append(template[pos : match.start()])
        inner = match.group(1)
        if "|" in inner:
            parts.append(tuple(inner.split("|")))
        elif inner == "name":
            parts.append(lang.names)
        elif inner == "town":
            parts.append(lang.towns)
        elif inner == "n":
            low, high = lang.numbers
            parts.append(tuple(str(i) for i in range(low, high + 1)))
        else:
            raise ValueError(f"unknown template field {{{inner}}}")
        pos = match.end()
    parts.append(template[pos:])
    return tuple(p for p in parts if p != "")


def _expand(template: _Template, rng: random.Random) -> str:
    # `random()` indexing instead of `choice()`: several times faster, and pools are built from
    # tens of thousands of expansions.
    r = rng.random
    return "".join(p if p.__class__ is str else p[int(r() * len(p))] for p in template)


class _TextPools:
    """Seeded pools of distinct generated sentences and titles per language.

    Documents draw whole sentences from a pool instead of expanding templates one by one, which
    is what makes the scaled corpus fast enough to write a million documents.
    """

    def __init__(self, seed: int, per_template: int) -> None:
        self._seed = seed
        self._per_template = per_template
        self._sentences: dict[str, list[str]] = {}
        self._titles: dict[str, list[str]] = {}

    def _build(self, lang: str, text: str, per_template: int) -> list[str]:
        spec = _LANGS[lang]
        templates = [_compile(t, spec) for t in _blocks(text, spec.joiner)]
        rng = random.Random(f"pool:{self._seed}:{lang}:{len(text)}")
        seen: set[str] = set()
        pool: list[str] = []
        for template in templates:
            # A template with few combinations cannot fill its quota; stop after enough misses.
            misses = 0
            count = 0
            while count < per_template and misses < 50:
                sentence = _expand(template, rng)
                if sentence in seen:
                    misses += 1
                    continue
                seen.add(sentence)
                pool.append(sentence)
                count += 1
        rng.shuffle(pool)
        return pool

    def sentences(self, lang: str) -> list[str]:
        if lang not in self._sentences:
            self._sentences[lang] = self._build(lang, _LANGS[lang].sentences, self._per_template)
        return self._sentences[lang]

    def titles(self, lang: str) -> list[str]:
        if lang not in self._titles:
            self._titles[lang] = self._build(lang, _LANGS[lang].titles, 60)
        return self._titles[lang]


@functools.lru_cache(maxsize=4)
def _text_pools(seed: int, per_template: int) -> _TextPools:
    """One set of pools per process, shared by every shard of a scaled corpus."""
    return _TextPools(seed, per_template)


def _split_paragraphs(sentences: Sequence[str], rng: random.Random, joiner: str) -> list[str]:
    paragraphs = []
    r = rng.random
    i = 0
    while i < len(sentences):
        size = 3 + int(r() * 3)
        paragraphs.append(joiner.join(sentences[i : i + size]))
        i += size
    return paragraphs


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def _jaccard(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb)


# ---------------------------------------------------------------------------------------------
# Truth returned to callers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocTruth:
    """What one candidate document was written to be."""

    shard: str
    # WARC-Record-ID (WARC, WET), "offset:<gzip member offset>" (ARC), "line:<1-based>" (JSONL),
    # "row:<0-based>" (Parquet): the same locators the reader records as `source_record`.
    record: str
    url: str | None
    language: str | None
    tags: frozenset[str]

    @property
    def id(self) -> str:
        return document_id(self.shard, self.record)


@dataclass(frozen=True)
class SampleTruth:
    """Counts per shard, per-document intent (default sample only) and tag totals."""

    seed: int
    documents_requested: int | None
    # shard file name -> record type ("warcinfo", "request", "response", "metadata", "revisit",
    # "conversion"; "filedesc"/"record" for ARC; "line" for JSONL; "row" for Parquet) -> count
    record_counts: Mapping[str, Mapping[str, int]]
    # shard file name -> candidate documents (responses, conversions, ARC records, lines, rows)
    candidate_counts: Mapping[str, int]
    # tag -> number of candidate documents carrying it
    tag_counts: Mapping[str, int]
    # Empty for scaled corpora, which keep counts only to bound memory.
    documents: tuple[DocTruth, ...] = ()

    @property
    def total_candidates(self) -> int:
        return sum(self.candidate_counts.values())

    @property
    def shards(self) -> tuple[str, ...]:
        return tuple(self.record_counts)

    def tagged(self, tag: str) -> tuple[DocTruth, ...]:
        """Documents carrying exactly `tag`."""
        return tuple(d for d in self.documents if tag in d.tags)

    def groups(self, prefix: str) -> dict[str, tuple[DocTruth, ...]]:
        """Duplicate groups: `groups("dup:exact:")` or `groups("near_dup:")` -> group -> docs."""
        found: dict[str, list[DocTruth]] = {}
        for doc in self.documents:
            for tag in doc.tags:
                if tag.startswith(prefix):
                    found.setdefault(tag[len(prefix) :], []).append(doc)
        return {group: tuple(docs) for group, docs in sorted(found.items())}


class _TruthBuilder:
    def __init__(self, keep_documents: bool) -> None:
        self.keep_documents = keep_documents
        self.records: dict[str, Counter[str]] = {}
        self.candidates: dict[str, int] = {}
        self.tags: Counter[str] = Counter()
        self.documents: list[DocTruth] = []

    def shard(self, name: str, counts: Counter[str]) -> None:
        self.records[name] = counts
        self.candidates.setdefault(name, 0)

    def add(self, shard: str, locator: str, page: _Page) -> None:
        self.candidates[shard] = self.candidates.get(shard, 0) + 1
        self.tags.update(page.tags)
        if self.keep_documents:
            self.documents.append(DocTruth(shard, locator, page.url, page.lang, page.tags))

    def merge(self, other: _TruthBuilder) -> None:
        self.records.update(other.records)
        for shard, n in other.candidates.items():
            self.candidates[shard] = self.candidates.get(shard, 0) + n
        self.tags.update(other.tags)
        self.documents.extend(other.documents)

    def build(self, seed: int, documents: int | None) -> SampleTruth:
        return SampleTruth(
            seed=seed,
            documents_requested=documents,
            record_counts=MappingProxyType(
                {k: MappingProxyType(dict(sorted(v.items()))) for k, v in self.records.items()}
            ),
            candidate_counts=MappingProxyType(dict(self.candidates)),
            tag_counts=MappingProxyType(dict(sorted(self.tags.items()))),
            documents=tuple(self.documents),
        )


# ---------------------------------------------------------------------------------------------
# Pages and their renderings
# ---------------------------------------------------------------------------------------------


# Not frozen: frozen dataclasses are several times slower to build, and the scaled corpus builds
# one page per document. Pages are never mutated; variants are made with `replace`.
@dataclass(slots=True)
class _Page:
    url: str | None
    lang: str | None
    title: str = ""
    paragraphs: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    site: _Site | None = None
    author: str = ""
    head: tuple[str, ...] = ()  # raw HTML lines added to <head>
    extra_html: str = ""  # raw HTML after the article paragraphs
    footer: str = ""  # raw HTML line at the top of the footer
    rights: str | None = None  # footer rights line; None: the language's "all rights reserved"
    headers: tuple[tuple[str, str], ...] = ()  # extra HTTP response headers
    status: int = 200
    charset: str = "utf-8"
    mime: str = "text/html"
    raw: bytes | None = None  # the HTTP payload as is (junk markup, binaries, redirects)
    text: str | None = None  # plain-text rendering of a raw page, for the text formats
    chunked: bool = False
    source: str = "web-archive"  # JSONL/Parquet `source`


_REASONS = {200: "OK", 301: "Moved Permanently", 404: "Not Found"}
_USER_AGENT = "CurateSampleBot/1.0 (+https://curate.example.org/bot)"
_NAV_PATHS = ("/", "/news/", "/events/", "/about/", "/contact/")
_FOOTER_PATHS = ("/privacy/", "/legal/", "/contact/")


def _esc(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        return html.escape(text, quote=False)
    return text


def _chrome(site: _Site, lang: _Lang) -> tuple[str, str, str]:
    key = (site.host, lang.code)
    cached = _CHROME_CACHE.get(key)
    if cached is None:
        nav = "".join(
            f'<li><a href="{path}">{_esc(label)}</a></li>'
            for path, label in zip(_NAV_PATHS, lang.nav, strict=True)
        )
        top = (
            f'<header class="site-header"><a class="logo" href="/">{_esc(site.name)}</a>'
            f'</header>\n<nav class="main-nav"><ul>{nav}</ul></nav>\n'
            f'<div id="cookie-banner" class="cookie-banner" role="dialog"><p>{_esc(lang.cookie)}'
            f'</p><button type="button">{_esc(lang.accept)}</button></div>\n'
        )
        links = "".join(
            f'<li><a href="{path}">{_esc(label)}</a></li>'
            for path, label in zip(_FOOTER_PATHS, lang.links, strict=True)
        )
        cached = (top, f'<ul class="footer-links">{links}</ul>\n', _esc(site.name))
        _CHROME_CACHE[key] = cached
    return cached


_CHROME_CACHE: dict[tuple[str, str], tuple[str, str, str]] = {}


def _site_of(page: _Page) -> tuple[_Site, _Lang]:
    lang = _LANGS[page.lang or "en"]
    return page.site or lang.sites[0], lang


def _render_html(page: _Page) -> str:
    site, lang = _site_of(page)
    top, links, site_name = _chrome(site, lang)
    rights = lang.rights if page.rights is None else page.rights
    paragraphs = "".join(f"<p>{_esc(p)}</p>\n" for p in page.paragraphs)
    head = "".join(f"{line}\n" for line in page.head)
    byline = f'<p class="byline">{_esc(lang.by)} {_esc(page.author)}</p>\n' if page.author else ""
    heading = f"<h1>{_esc(page.title)}</h1>\n" if page.title else ""
    footer = f"{page.footer}\n" if page.footer else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang.code}">\n<head>\n<meta charset="{page.charset}">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(page.title)} | {site_name}</title>\n{head}"
        f'<link rel="stylesheet" href="/assets/main.css">\n</head>\n<body>\n{top}'
        f"<main>\n<article>\n{heading}{byline}{paragraphs}{page.extra_html}</article>\n</main>\n"
        f'<footer class="site-footer">\n{footer}<p>{_esc(f"© 2026 {site.name}. {rights}".rstrip())}'
        "</p>\n"
        f"{links}</footer>\n</body>\n</html>\n"
    )


def _payload(page: _Page) -> bytes:
    if page.raw is not None:
        return page.raw
    return _render_html(page).encode(page.charset)


def _plain_text(page: _Page) -> str:
    """The text of a JSONL/Parquet record: title and paragraphs, blank lines between."""
    if page.text is not None:
        return page.text
    return "\n\n".join(([page.title] if page.title else []) + list(page.paragraphs))


def _wet_text(page: _Page) -> str:
    """WET text as a crawler extracts it from the whole page: chrome lines included."""
    if page.text is not None:
        return page.text
    site, lang = _site_of(page)
    rights = lang.rights if page.rights is None else page.rights
    lines = [site.name, " ".join(lang.nav), page.title, *page.paragraphs]
    lines.append(f"© 2026 {site.name}. {rights}".rstrip())
    return "\n".join(line for line in lines if line)


def _chunk(body: bytes, size: int = 1024) -> bytes:
    parts = [
        b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
        for i in range(0, len(body), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


_B32_PAIRS = tuple(
    a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)
_B32_SHIFTS = tuple(range(150, -1, -10))


def sha1_digest(data: bytes) -> str:
    """A WARC digest value: `sha1:` and the base32 SHA-1 of `data`."""
    # Same result as base64.b32encode (160 bits need no padding), which is pure Python and
    # was the slowest step of writing a record.
    n = int.from_bytes(hashlib.sha1(data).digest(), "big")
    return "sha1:" + "".join([_B32_PAIRS[(n >> shift) & 1023] for shift in _B32_SHIFTS])


def _iso(t: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def http_response(
    page_body: bytes,
    *,
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    t: int = _EPOCH,
    server: str = "nginx",
    headers: Sequence[tuple[str, str]] = (),
    chunked: bool = False,
) -> tuple[bytes, bytes]:
    """An HTTP/1.1 response as a crawler stores it: (whole block, payload as transmitted)."""
    body = _chunk(page_body) if chunked else page_body
    lines = [
        f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}",
        f"Date: {formatdate(t, usegmt=True)}",
        f"Server: {server}",
    ]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}")
    lines.extend(f"{k}: {v}" for k, v in headers)
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body, body


def _page_response(page: _Page, t: int) -> tuple[bytes, bytes]:
    site, _ = _site_of(page)
    if page.status == 301 and not page.raw:
        content_type = ""
    elif page.mime.startswith("text/"):
        content_type = f"{page.mime}; charset={page.charset}"
    else:
        content_type = page.mime
    return http_response(
        _payload(page),
        status=page.status,
        content_type=content_type,
        t=t,
        server=site.server,
        headers=page.headers,
        chunked=page.chunked,
    )


def _http_request(page: _Page) -> bytes:
    assert page.url is not None
    _, _, rest = page.url.partition("://")
    host, _, path = rest.partition("/")
    lang = _LANGS[page.lang or "en"]
    return (
        f"GET /{path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {_USER_AGENT}\r\n"
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
        f"Accept-Language: {lang.accept_language}\r\nAccept-Encoding: identity\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


def _ip_of(url: str) -> str:
    """A stable documentation-range address per host (RFC 5737)."""
    host = url.partition("://")[2].partition("/")[0]
    ip = _IP_CACHE.get(host)
    if ip is None:
        digest = hashlib.blake2b(host.encode(), digest_size=2).digest()
        prefix = ("192.0.2", "198.51.100", "203.0.113")[digest[0] % 3]
        ip = _IP_CACHE[host] = f"{prefix}.{1 + digest[1] % 250}"
    return ip


_IP_CACHE: dict[str, str] = {}


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def gzip_member(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """One gzip member with mtime 0, so equal input gives equal bytes."""
    return zlib.compress(data, level, wbits=31)


class _GzipMembers:
    """Turns records into independent gzip members, all cut from one deflate stream.

    Setting up a zlib stream costs about as much as compressing a small record, and a WARC has
    three records per page. A full flush ends each record's deflate data byte-aligned with no
    back-references, an empty final stored block closes it, and a gzip header (mtime 0) and
    trailer make it a member that any gzip reader decodes on its own.
    """

    _HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    _FINAL_EMPTY_BLOCK = b"\x01\x00\x00\xff\xff"

    def __init__(self, level: int = GZIP_LEVEL) -> None:
        self._z = zlib.compressobj(level, zlib.DEFLATED, -15)

    def member(self, data: bytes) -> bytes:
        body = self._z.compress(data) + self._z.flush(zlib.Z_FULL_FLUSH)
        trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
        return self._HEADER + body + self._FINAL_EMPTY_BLOCK + trailer


def record_id(seed: int, shard: str, serial: int) -> str:
    """A WARC-Record-ID (`<urn:uuid:...>`, UUID version 4 layout) derived from seed and place."""
    h = hashlib.blake2b(f"{seed}/{shard}/{serial}".encode(), digest_size=16).hexdigest()
    variant = "89ab"[int(h[16], 16) & 3]
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}>"


def warc_record(
    record_type: str,
    rec_id: str,
    date: str,
    block: bytes,
    content_type: str,
    fields: Sequence[tuple[str, str]] = (),
) -> bytes:
    """One WARC/1.1 record: version line, named fields, block and the closing CRLFs."""
    head = (
        f"WARC/1.1\r\nWARC-Type: {record_type}\r\nWARC-Date: {date}\r\n"
        f"WARC-Record-ID: {rec_id}\r\nContent-Length: {len(block)}\r\n"
        f"Content-Type: {content_type}\r\n"
    )
    head += "".join(f"{k}: {v}\r\n" for k, v in fields)
    return head.encode("utf-8") + b"\r\n" + block + b"\r\n\r\n"


def _warcinfo_block(description: str, fmt: str) -> bytes:
    fields = (
        ("software", f"curate-sample-corpus/{VERSION}"),
        ("format", fmt),
        (
            "conformsTo",
            "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        ),
        ("isPartOf", CRAWL),
        ("publisher", "Curate project"),
        ("description", description),
        ("operator", "Curate sample crawler"),
        ("hostname", "crawler-01.example.org"),
        ("robots", "checked"),
        ("http-header-user-agent", _USER_AGENT),
    )
    return "".join(f"{k}: {v}\r\n" for k, v in fields).encode("utf-8")


class _WarcWriter:
    """Streams WARC records: one gzip member per record, one for the file, or none."""

    def __init__(self, path: Path, seed: int, compression: str, fmt: str) -> None:
        self.name = path.name
        self._fh = path.open("wb")
        self._seed = seed
        self._compression = compression
        self._z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if compression == "file" else None
        self._members = _GzipMembers()
        self._serial = 0
        # Each shard's clock starts at its own deterministic second of the crawl week.
        self._clock = _EPOCH + zlib.crc32(path.name.encode()) % (5 * 86400)
        self.counts: Counter[str] = Counter()
        self._fetched: dict[str, tuple[str, str, str]] = {}
        info = _warcinfo_block(
            f"Synthetic crawl written by the Curate sample corpus generator, "
            f"version {VERSION}, seed {seed}.",
            fmt,
        )
        self.warcinfo_id = self.write(
            "warcinfo",
            _iso(self._clock),
            info,
            "application/warc-fields",
            (("WARC-Filename", path.name), ("WARC-Block-Digest", sha1_digest(info))),
        )

    def tick(self) -> int:
        self._clock += 1 + self._serial % 3
        return self._clock

    def write(
        self,
        record_type: str,
        date: str,
        block: bytes,
        content_type: str,
        fields: Sequence[tuple[str, str]] = (),
    ) -> str:
        rec_id = record_id(self._seed, self.name, self._serial)
        self._serial += 1
        data = warc_record(record_type, rec_id, date, block, content_type, fields)
        if self._compression == "record":
            data = self._members.member(data)
        elif self._z is not None:
            data = self._z.compress(data)
        self._fh.write(data)
        self.counts[record_type] += 1
        return rec_id

    def page(self, page: _Page) -> str:
        """Request, response and metadata records of one fetch; returns the response's id."""
        assert page.url is not None
        t = self.tick()
        date = _iso(t)
        ip = _ip_of(page.url)
        request = _http_request(page)
        request_id = self.write(
            "request",
            date,
            request,
            "application/http; msgtype=request",
            (
                ("WARC-Warcinfo-ID", self.warcinfo_id),
                ("WARC-IP-Address", ip),
                ("WARC-Target-URI", page.url),
                ("WARC-Block-Digest", sha1_digest(request)),
            ),
        )
        block, payload = _page_response(page, t)
        payload_digest = sha1_digest(payload)
        fields = [
            ("WARC-Warcinfo-ID", self.warcinfo_id),
            ("WARC-Concurrent-To", request_id),
            ("WARC-IP-Address", ip),
            ("WARC-Target-URI", page.url),
            ("WARC-Payload-Digest", payload_digest),
            ("WARC-Block-Digest", sha1_digest(block)),
        ]
        if payload:
            fields.append(("WARC-Identified-Payload-Type", page.mime))
        response_id = self.write(
            "response", date, block, "application/http; msgtype=response", fields
        )
        # Fetch time is part of the record, so it must not come from a clock.
        metadata = (
            f"fetchTimeMs: {40 + payload_digest.encode()[7] * 3}\r\n"
            f"charset-detected: {page.charset.upper()}\r\n"
        ).encode("ascii")
        self.write(
            "metadata",
            date,
            metadata,
            "application/warc-fields",
            (
                ("WARC-Warcinfo-ID", self.warcinfo_id),
                ("WARC-Refers-To", response_id),
                ("WARC-Target-URI", page.url),
                ("WARC-Block-Digest", sha1_digest(metadata)),
            ),
        )
        self._fetched[page.url] = (response_id, date, payload_digest)
        return response_id

    def revisit(self, original_url: str, url: str) -> None:
        """A revisit record: the payload of `url` equals the earlier capture of `original_url`."""
        original_id, original_date, payload_digest = self._fetched[original_url]
        t = self.tick()
        block = (
            f"HTTP/1.1 200 OK\r\nDate: {formatdate(t, usegmt=True)}\r\nServer: nginx\r\n"
            "Content-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n"
        ).encode("ascii")
        self.write(
            "revisit",
            _iso(t),
            block,
            "application/http; msgtype=response",
            (
                ("WARC-Warcinfo-ID", self.warcinfo_id),
                ("WARC-IP-Address", _ip_of(url)),
                ("WARC-Target-URI", url),
                ("WARC-Payload-Digest", payload_digest),
                ("WARC-Block-Digest", sha1_digest(block)),
                (
                    "WARC-Profile",
                    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                ),
                ("WARC-Refers-To", original_id),
                ("WARC-Refers-To-Target-URI", original_url),
                ("WARC-Refers-To-Date", original_date),
            ),
        )

    def conversion(self, page: _Page) -> str:
        assert page.url is not None
        t = self.tick()
        block = _wet_text(page).encode("utf-8")
        fields = [
            ("WARC-Target-URI", page.url),
            ("WARC-Refers-To", record_id(self._seed, "source-crawl", self._serial)),
            ("WARC-Block-Digest", sha1_digest(block)),
        ]
        if page.lang is not None:
            fields.append(("WARC-Identified-Content-Language", _LANGS[page.lang].iso3))
        rec_id = self.write("conversion", _iso(t), block, "text/plain", fields)
        return rec_id

    def close(self) -> None:
        if self._z is not None:
            self._fh.write(self._z.flush())
        self._fh.close()


class _ArcWriter:
    """Legacy ARC v1: a filedesc record, then `URL IP date type length` records; gzip each."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self._fh = path.open("wb")
        self._offset = 0
        self._clock = _EPOCH + zlib.crc32(path.name.encode()) % (5 * 86400)
        self.counts: Counter[str] = Counter()
        self._members = _GzipMembers()
        arc_name = path.name.removesuffix(".gz")
        version = f"1 0 {CRAWL}\nURL IP-address Archive-date Content-type Archive-length\n"
        header = f"filedesc://{arc_name} 0.0.0.0 {self._date14()} text/plain {len(version)}\n"
        self._emit((header + version + "\n").encode("ascii"))
        self.counts["filedesc"] += 1

    def _date14(self) -> str:
        return time.strftime("%Y%m%d%H%M%S", time.gmtime(self._clock))

    def _emit(self, data: bytes) -> int:
        member = self._members.member(data)
        offset = self._offset
        self._fh.write(member)
        self._offset += len(member)
        return offset

    def page(self, page: _Page) -> str:
        assert page.url is not None
        self._clock += 2
        block, _ = _page_response(page, self._clock)
        line = f"{page.url} {_ip_of(page.url)} {self._date14()} {page.mime} {len(block)}\n"
        offset = self._emit(line.encode("utf-8") + block + b"\n")
        self.counts["record"] += 1
        return f"offset:{offset}"

    def close(self) -> None:
        self._fh.close()


_DOC_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("crawl_date", pa.string()),
        pa.field("source", pa.string()),
    ]
)


def _doc_record(doc_id: str, page: _Page, date: str) -> dict[str, str | None]:
    record: dict[str, str | None] = {"id": doc_id}
    if page.url is not None:
        record["url"] = page.url
    record["text"] = _plain_text(page)
    record["crawl_date"] = date
    record["source"] = page.source
    return record


class _JsonlWriter:
    def __init__(self, path: Path, codec: str) -> None:
        self.name = path.name
        self._stem = path.name.split(".")[0]
        self._fh = path.open("wb")
        self._z: zlib._Compress | zstandard.ZstdCompressionObj
        if codec == "gzip":
            self._z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
        else:
            self._z = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compressobj()
        self.counts: Counter[str] = Counter()

    def add(self, page: _Page) -> str:
        self.counts["line"] += 1
        n = self.counts["line"]
        date = f"2026-11-{23 + n % 5}"
        record = _doc_record(f"{self._stem}-{n:06d}", page, date)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        self._fh.write(self._z.compress(line.encode("utf-8")))
        return f"line:{n}"

    def close(self) -> None:
        self._fh.write(self._z.flush())
        self._fh.close()


class _ParquetWriter:
    """Collects one shard's rows (at most MAX_DOCS_PER_SHARD) and writes two row groups."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self._path = path
        self._stem = path.name.split(".")[0]
        self._rows: list[dict[str, str | None]] = []
        self.counts: Counter[str] = Counter()

    def add(self, page: _Page) -> str:
        n = len(self._rows)
        record = _doc_record(f"{self._stem}-{n + 1:06d}", page, f"2026-11-{23 + n % 5}")
        record.setdefault("url", None)
        self._rows.append(record)
        self.counts["row"] += 1
        return f"row:{n}"

    def close(self) -> None:
        table = pa.Table.from_pylist(self._rows, schema=_DOC_SCHEMA)
        pq.write_table(
            table,
            self._path,
            compression="zstd",
            row_group_size=max(1, math.ceil(len(self._rows) / 2)),
        )
        self._rows = []


# ---------------------------------------------------------------------------------------------
# Binary payloads, junk pages and curated special content
# ---------------------------------------------------------------------------------------------


def _png(width: int = 16, height: int = 16) -> bytes:
    """A small, valid RGB PNG (a colour gradient)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _pdf(line: str) -> bytes:
    """A one-page PDF 1.4 with one line of Helvetica text and a correct xref table."""
    stream = f"BT /F1 18 Tf 72 770 Td ({line}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


_LOREM = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt "
    "ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco "
    "laboris nisi aliquip ex ea commodo consequat"
).split()
_SYMBOLS = "#$%&*+=<>@^~|/\\{}[]§¤¦°±·×÷"
_NAV_LABELS = (
    "Garden tools",
    "Seeds",
    "Compost",
    "Watering cans",
    "Gloves",
    "Pots",
    "Bulbs",
    "Hedge trimmers",
    "Bird feeders",
    "Greenhouses",
    "Raised beds",
    "Sale",
    "New in",
    "Gift cards",
    "Delivery",
    "Returns",
    "Store finder",
    "Sign in",
    "Basket",
    "Help",
)
_JUNK_KINDS = (
    "boilerplate",
    "nav_only",
    "lorem",
    "js_required",
    "symbols",
    "short",
    "empty",
    "repeated",
)
_JS_PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Dashboard</title>\n'
    '<script src="/static/js/main.4f2a9c.js" defer></script>\n</head>\n<body>\n'
    "<noscript>You need to enable JavaScript to run this app.</noscript>\n"
    '<div id="root"></div>\n</body>\n</html>\n'
)


@dataclass(frozen=True, slots=True)
class _Markup:
    """Licence or opt-out signals added to a page's head, headers, footer or article."""

    tags: tuple[str, ...]
    head: tuple[str, ...] = ()  # "{host}" is replaced by the page's host
    headers: tuple[tuple[str, str], ...] = ()
    footer: str | None = None
    rights: str | None = None
    extra_html: str | None = None
    jsonld_license: str | None = None


_LICENSE_MARKUP: dict[str, _Markup] = {
    "a_rel_by_sa": _Markup(
        ("license:CC-BY-SA-4.0", "license_src:a_rel"),
        footer='<p>Text and photos: <a rel="license" '
        'href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a></p>',
        rights="",
    ),
    "link_by": _Markup(
        ("license:CC-BY-4.0", "license_src:link_rel"),
        head=('<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">',),
        rights="",
    ),
    "meta_by_nc": _Markup(
        ("license:CC-BY-NC-4.0", "license_src:meta"),
        head=(
            '<meta name="dcterms.license" '
            'content="https://creativecommons.org/licenses/by-nc/4.0/">',
        ),
        rights="",
    ),
    "jsonld_by_nd": _Markup(
        ("license:CC-BY-ND-4.0", "license_src:jsonld"),
        rights="",
        jsonld_license="https://creativecommons.org/licenses/by-nd/4.0/",
    ),
    "cc0": _Markup(
        ("license:CC0-1.0", "license_src:a_rel"),
        footer='<p><a rel="license" href="https://creativecommons.org/publicdomain/zero/1.0/">'
        "CC0 1.0 Universal</a></p>",
        rights="",
    ),
    "text_by": _Markup(
        ("license:CC-BY-4.0", "license_src:text"),
        footer="<p>This work is licensed under a Creative Commons Attribution 4.0 "
        "International License.</p>",
        rights="",
    ),
    # The trap: the licence link covers one photo; the article itself is all rights reserved.
    "figure_trap": _Markup(
        ("trap:license_figure_only",),
        extra_html='<figure><img src="/images/footbridge.jpg" alt="The repaired footbridge" '
        'width="800" height="533"><figcaption>Photo: Owen Castell, licensed '
        '<a rel="license" href="https://creativecommons.org/licenses/by/2.0/">'
        "CC BY 2.0</a></figcaption></figure>\n",
        footer="<p>No part of this article may be reproduced without written permission.</p>",
    ),
}

_OPTOUT_MARKUP: dict[str, _Markup] = {
    "meta": _Markup(("optout:meta",), head=('<meta name="robots" content="noai, noimageai">',)),
    "header": _Markup(("optout:header",), headers=(("X-Robots-Tag", "noai"),)),
    "tdm_header": _Markup(
        ("optout:tdm_header",),
        headers=(("tdm-reservation", "1"), ("tdm-policy", "https://{host}/tdm-policy.json")),
    ),
    "tdm_meta": _Markup(
        ("optout:tdm_meta",),
        head=(
            '<meta name="tdm-reservation" content="1">',
            '<meta name="tdm-policy" content="https://{host}/tdm-policy.json">',
        ),
    ),
    "trap_index_follow": _Markup(
        ("trap:robots_index_follow",), head=('<meta name="robots" content="index, follow">',)
    ),
    "trap_noarchive": _Markup(("trap:robots_noarchive",), headers=(("X-Robots-Tag", "noarchive"),)),
}

# Curated paragraphs: (language, title, paragraphs, tags). Generated paragraphs in the same
# language are added around them so every page reads like an ordinary article.
_SPECIALS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "pii_contact_en": (
        "en",
        "Contact the Ashcombe Repair Café",
        (
            "Bring your broken lamps, toasters, radios and bicycles to the Saturday session in the "
            "church hall. Our volunteers will look at anything you can carry, and most repairs "
            "take less than an hour.",
            "If you would like to book a slot in advance, write to our coordinator Ruth Penhallow "
            "at ruth.penhallow@example.com or phone (415) 555-0132 on weekday afternoons.",
            "Schools and larger groups can reach the volunteer desk on +1 212 555 0147. Please "
            "leave a short message with the item you would like us to look at and we will call you "
            "back.",
        ),
        ("pii:email", "pii:phone"),
    ),
    "pii_impressum_de": (
        "de",
        "Impressum und Kontakt",
        (
            "Verantwortlich für den Inhalt dieser Seite ist Lena Brückner, Mühlenstraße 12, "
            "Lindenau. Sie erreichen die Redaktion telefonisch unter +49 30 23125 567 oder per "
            "E-Mail an redaktion@lindenauer-bote.example.com.",
            "Spenden für die Sanierung des Dorfbrunnens nimmt der Heimatverein gern entgegen: IBAN "
            "DE89 3704 0044 0532 0130 00, Verwendungszweck „Dorfbrunnen“. Eine Spendenquittung "
            "schicken wir Ihnen auf Wunsch zu.",
        ),
        ("pii:phone", "pii:email", "pii:iban"),
    ),
    "pii_fr": (
        "fr",
        "Inscriptions à l'atelier vélo",
        (
            "Les inscriptions pour l'atelier de réparation de vélos sont ouvertes jusqu'à la fin "
            "du mois. Pour toute question, contactez Camille Dufresne au +33 1 99 00 12 34 ou "
            "écrivez à camille.dufresne@example.org.",
        ),
        ("pii:phone", "pii:email"),
    ),
    "pii_card_en": (
        "en",
        "Charged twice for one order?",
        (
            "Posted by hedgehog_gardener: I ordered two bags of compost from the garden centre "
            "website last week and the payment went through twice. The card I used was 4111 1111 "
            "1111 1111 and both charges show the same amount.",
            "Has anyone else had this happen? The shop says it is a bank problem and the bank says "
            "it is the shop.",
            "Reply from the moderator: please do not post full card numbers on the forum, even old "
            "ones. Contact the shop in writing and keep a copy of both statements.",
        ),
        ("pii:credit_card",),
    ),
    "pii_ip_en": (
        "en",
        "Why our mail server kept rejecting messages",
        (
            "For three days our small mail server at 198.51.100.23 refused connections from the "
            "newsletter service. The logs showed repeated attempts from 203.0.113.77, each "
            "rejected right after the greeting.",
            "The cause turned out to be an outdated block list. Once we removed the stale entry, "
            "mail flowed again, including traffic over IPv6 from 2001:db8:4f2a::17.",
            "If you run a server for a club or a small office, check your block lists every few "
            "months and keep a note of every change you make, with the date and the reason.",
        ),
        ("pii:ip_address",),
    ),
    "pii_ssn_en": (
        "en",
        "Beware of fake tax refund letters",
        (
            "Several readers in Marrowby received letters that looked like official tax notices. "
            "The letter asked recipients to confirm their social security number on a website, and "
            "it even printed an example number, 219-09-9999, to make the request look routine.",
            "No tax office asks for your number in this way. If you receive such a letter, do not "
            "reply; take it to the advice centre on Station Lane or report it to the police.",
        ),
        ("pii:us_ssn",),
    ),
    "pii_iban_nl": (
        "nl",
        "Steun de buurtmoestuin",
        (
            "Wilt u de buurtmoestuin steunen? Maak dan een bijdrage over op IBAN NL91 ABNA 0417 "
            "1643 00 ten name van Stichting Buurtmoestuin Rietbroek. Elke bijdrage gaat naar "
            "zaden, gereedschap en de nieuwe regenton.",
        ),
        ("pii:iban",),
    ),
    "pii_es": (
        "es",
        "Intercambio de semillas",
        (
            "Si desea participar en el intercambio de semillas, escríbanos a "
            "semillas.fuentesol@example.net o llame a nuestra oficina de Londres, +44 20 7946 "
            "0958, de lunes a viernes.",
        ),
        ("pii:email", "pii:phone"),
    ),
    "pii_support_en": (
        "en",
        "Customer support",
        (
            "Customer support: email help.desk@example.net or call 020 7946 0321 (UK office) "
            "between 9 am and 5 pm. We answer most questions within two working days.",
        ),
        ("pii:email", "pii:phone"),
    ),
    "pii_parcel_en": (
        "en",
        "The parcel that never came",
        (
            "When the parcel never arrived, I wrote to orders@example.com and, foolishly, gave "
            "them my card number 5555 5555 5555 4444 in the same e-mail. The refund came after "
            "three weeks, and I have since cancelled the card.",
        ),
        ("pii:email", "pii:credit_card"),
    ),
    "pii_it": (
        "it",
        "Visite guidate al museo",
        (
            "Per prenotare una visita guidata scrivete a visite.castelfiore@example.org oppure "
            "chiamate il numero +44 113 496 0321, attivo anche il sabato mattina.",
        ),
        ("pii:email", "pii:phone"),
    ),
    "offensive_review_en": (
        "en",
        "Comments: the new menu at the Harbour Kitchen",
        (
            "Comment by sam_the_critic: What a load of crap. The owner is a rude idiot and the "
            "soup tasted like dishwater.",
            "Comment by harbourfan: Shut up, you clueless clown. The soup was fine and the staff "
            "were lovely.",
            "Comment by sam_the_critic: Only a moron would call that soup fine. Save your money.",
        ),
        ("offensive", "profanity"),
    ),
    "offensive_sports_en": (
        "en",
        "Match thread: Wrayford Rovers 0-3 Fennick Town",
        (
            "That referee was a useless moron and the whole damn match was a joke from the first "
            "whistle.",
            "Anyone who defends that penalty decision is a brainless muppet. Our defence played "
            "like a bunch of idiots, too.",
        ),
        ("offensive", "profanity"),
    ),
    "offensive_de": (
        "de",
        "Leserkommentare: Der neue Radweg",
        (
            "So ein Schwachsinn! Wer diesen Radweg geplant hat, ist ein kompletter Idiot.",
            "Halt doch die Klappe, du Dummkopf. Der Radweg ist das Beste, was dem Ort seit Jahren "
            "passiert ist.",
        ),
        ("offensive",),
    ),
    "offensive_app_en": (
        "en",
        "Review: the Ferry Times app",
        (
            "This app is total shit and the developers are lazy morons who never answer e-mails. "
            "Uninstall it and check the timetable at the harbour instead.",
        ),
        ("offensive", "profanity"),
    ),
    "identity_muslim_en": (
        "en",
        "Baking before sunrise",
        (
            "As a Muslim woman who runs a small bakery in Ashcombe, I get asked about Ramadan "
            "opening hours every spring. The answer is simple: we open early, we close late, and "
            "the ovens never seem to cool down.",
            "My regulars know that the date and walnut loaves sell out first. Some of them come by "
            "after their own evening prayers, others on the way to the night shift at the "
            "hospital.",
        ),
        ("identity:religion", "identity:gender"),
    ),
    "identity_gay_en": (
        "en",
        "Our street party, ten years on",
        (
            "The gay couple next door, Tom and Rafael, have organised the street party every "
            "summer since they moved in. They borrow tables from the school, string lights between "
            "the lamp posts and persuade everyone to bring one dish.",
            "This year their new puppy stole the show. Honestly, that dog is the most fucking "
            "adorable thing on the whole street, and the children spent the afternoon chasing it "
            "around the bunting.",
        ),
        ("identity:sexual_orientation", "profanity"),
    ),
    "identity_deaf_en": (
        "en",
        "Sign language club opens to the public",
        (
            "Our deaf students led the first public sign language workshop at the village school "
            "on Saturday. More than forty neighbours came along to learn greetings, numbers and "
            "the signs for their favourite foods.",
            "The old projector was a piece of shit and died ten minutes in, so the students simply "
            "carried on without slides and made the whole room laugh.",
        ),
        ("identity:disability", "profanity"),
    ),
    "identity_black_en": (
        "en",
        "Teaching teenagers to code at the library",
        (
            "As a Black software engineer who grew up in Hollin Bridge, I wanted to give something "
            "back. Every Thursday I run a coding club at the public library for teenagers who have "
            "never written a program.",
            "We started with small games and moved on to a map of the town's bus stops. Two of the "
            "students now want to study computer science.",
        ),
        ("identity:race",),
    ),
    "identity_jewish_en": (
        "en",
        "Latkes, music and a full hall",
        (
            "The Jewish community centre on Mill Street opened its doors for a Hanukkah evening "
            "last week, with music, candles and a long table of food for anyone who walked in.",
            "The volunteers fried potato latkes for four hours straight, and they were damn good. "
            "Neighbours of every background stayed until the hall had to close.",
        ),
        ("identity:religion", "profanity"),
    ),
    "identity_wheelchair_en": (
        "en",
        "A hiking group for every pace",
        (
            "Our hiking group for wheelchair users meets on the first Sunday of the month. We test "
            "paths, note where the gates are too narrow, and share the notes with the council.",
            "Last month we tried the towpath to the old mill. It was flat, well kept and ended at "
            "a café with a step-free entrance.",
        ),
        ("identity:disability",),
    ),
    "identity_trans_en": (
        "en",
        "Notes from the staff room",
        (
            "As a transgender teacher, I am often asked how I talk to my pupils about my own life. "
            "Mostly I don't need to: they care far more about the football results and the next "
            "school trip.",
            "What matters in the classroom is patience, a good plan for every lesson and a sense "
            "of humour when the plan falls apart.",
        ),
        ("identity:gender",),
    ),
    "identity_lesbian_en": (
        "en",
        "Six years of the tea shop book club",
        (
            "Our lesbian book club has met in the back room of the tea shop for six years. We read "
            "one novel a month and argue about the endings.",
            "Last month's thriller was total shit, but the discussion afterwards was the best we "
            "have had in ages, and the owner kept the kettle on until ten.",
        ),
        ("identity:sexual_orientation", "profanity"),
    ),
    "identity_muslim_de": (
        "de",
        "Nachtschicht im Ramadan",
        (
            "Als muslimische Ärztin in Birkenfelde arbeite ich oft in der Nachtschicht. Im Ramadan "
            "breche ich das Fasten manchmal mit einer Dattel im Schwesternzimmer, und die "
            "Kolleginnen bringen inzwischen selbst Suppe mit.",
        ),
        ("identity:religion", "identity:gender"),
    ),
}

# Notice-board posts of a deaf club (original text): each well under fifty words.
_DEAF_CLUB_NOTES = (
    ("Coffee morning moved", "The deaf club coffee morning moves to the library annex this "
     "Saturday. Interpreters will be there from ten, and new members are always welcome."),
    ("Film night", "Friday film night for deaf and hearing friends: the cinema has agreed to "
     "show the comedy with open captions. Tickets at the door, popcorn on us."),
    ("Signing choir", "Our signing choir needs two more voices, deaf or hearing. Practice is "
     "on Tuesdays in the church hall; no experience needed, just bring warm hands."),
    ("Lost and found", "A blue scarf was left after the deaf club quiz night. Ask at the bar "
     "of the Red Lion, where the landlord is keeping it safe."),
    ("Thank you", "Thank you to everyone who helped paint the deaf club room. The new colour "
     "makes signing across the room much easier on the eyes."),
    ("Walking group", "The deaf walking group meets at the station at nine on Sunday for an "
     "easy loop around the reservoir. Bring lunch and good boots."),
)  # fmt: skip


# Short PII sentences for the scaled corpus: a contact line per language, and a few more kinds.
_CONTACT_FRAMES = {
    "en": "For questions, write to {email} or call {phone}.",
    "de": "Bei Fragen schreiben Sie an {email} oder rufen Sie {phone} an.",
    "fr": "Pour toute question, écrivez à {email} ou appelez le {phone}.",
    "es": "Si tiene preguntas, escriba a {email} o llame al {phone}.",
    "it": "Per informazioni scrivete a {email} oppure chiamate il {phone}.",
    "nl": "Vragen? Mail naar {email} of bel {phone}.",
    "pt": "Para mais informações, escreva para {email} ou ligue para {phone}.",
    "pl": "W razie pytań prosimy pisać na adres {email} lub dzwonić pod numer {phone}.",
    "ru": "По всем вопросам пишите на {email} или звоните по телефону {phone}.",
    "ja": "お問い合わせは{email}または{phone}までご連絡ください。",
}
_OTHER_PII_FRAMES = (
    ("I was charged twice on card {card}, so I called the bank.", "pii:credit_card"),
    ("The failed logins came from {ipv4} and later from {ipv6}.", "pii:ip_address"),
    ("Donations can be sent to IBAN {iban}.", "pii:iban"),
    ("The fake letter asked for a social security number such as {ssn}.", "pii:us_ssn"),
)
_EMAIL_USERS = (
    "info",
    "hello",
    "office",
    "m.hartley",
    "j.novak",
    "bookings",
    "anna.k",
    "support",
    "t.fischer",
    "r.okafor",
    "club.secretary",
    "library.desk",
)
_EMAIL_DOMAINS = (
    "example.com",
    "example.org",
    "example.net",
    "mail.example.org",
    "post.example.com",
)
_AREA_CODES = ("212", "312", "415", "503", "617", "720")
# Public test card numbers (Luhn-valid, never issued).
_CARDS = (
    "4111 1111 1111 1111",
    "5555 5555 5555 4444",
    "3782 822463 10005",
    "4012 8888 8888 1881",
    "6011 1111 1111 1117",
    "5105-1051-0510-5100",
)
# Published example IBANs with valid check digits.
_IBANS = (
    "GB82 WEST 1234 5698 7654 32",
    "DE89 3704 0044 0532 0130 00",
    "NL91 ABNA 0417 1643 00",
    "FR14 2004 1010 0505 0001 3M02 606",
)


def _slug(title: str) -> str:
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:60].rstrip("-")
    return slug or "article"


def _article_text(page: _Page) -> str:
    return "\n\n".join([page.title, *page.paragraphs])


class _Factory:
    """Builds pages from the seeded pools: articles, variants, junk and curated specials."""

    def __init__(self, seed: int, per_template: int, label: str) -> None:
        self.rng = random.Random(f"{label}:{seed}")
        self.pools = _text_pools(seed, per_template)
        self.serial = 0
        self._slugs: dict[str, str] = {}

    def url(self, site: _Site, title: str, section: str | None = None) -> str:
        self.serial += 1
        slug = self._slugs.get(title)
        if slug is None:
            slug = self._slugs[title] = _slug(title)
        if section is None:
            section = ("news", "blog", "stories", "2026/11")[self.serial % 4]
        return f"https://{site.host}/{section}/{slug}-{self.serial}"

    def article(
        self,
        lang: str,
        *,
        paragraphs: int | None = None,
        sentences: tuple[int, int] | None = None,
        site: _Site | None = None,
        tags: Sequence[str] = (),
        specials: Sequence[str] = (),
    ) -> _Page:
        """An article. Default sample: 3-5 paragraphs of 3-5 distinct sentences; scaled corpus
        (`sentences` given): that many sentences drawn with replacement, which is faster."""
        rng = self.rng
        spec = _LANGS[lang]
        pool = self.pools.sentences(lang)
        if sentences is None:
            sizes = [rng.randint(3, 5) for _ in range(paragraphs or rng.randint(3, 5))]
            chosen = rng.sample(pool, sum(sizes))
            body, i = [], 0
            for size in sizes:
                body.append(spec.joiner.join(chosen[i : i + size]))
                i += size
        else:
            low, high = sentences
            chosen = rng.choices(pool, k=low + int(rng.random() * (high - low + 1)))
            body = _split_paragraphs(chosen, rng, spec.joiner)
        if specials:
            body[1:1] = specials
        r = rng.random
        titles = self.pools.titles(lang)
        title = titles[int(r() * len(titles))]
        site = site or spec.sites[int(r() * len(spec.sites))]
        return _Page(
            self.url(site, title),
            lang,
            title,
            tuple(body),
            frozenset(tags),
            site,
            spec.names[int(r() * len(spec.names))],
        )

    def special(
        self, key: str, *, site: _Site | None = None, tags: Sequence[str] = (), extra: int = 1
    ) -> _Page:
        lang, title, paragraphs, own_tags = _SPECIALS[key]
        page = self.article(
            lang, paragraphs=extra, site=site, tags=(*own_tags, *tags), specials=paragraphs
        )
        return replace(page, title=title, url=self.url(page.site or _LANGS[lang].sites[0], title))

    def near_variant(self, page: _Page, target: float, url: str | None = None) -> _Page:
        """Replace single words until the word-5-gram Jaccard with `page` drops to `target`."""
        rng = self.rng
        original = _article_text(page)
        words = [p.split(" ") for p in page.paragraphs]
        vocabulary = sorted({w for p in words for w in p})
        for _ in range(10_000):
            p = rng.randrange(len(words))
            words[p][rng.randrange(len(words[p]))] = rng.choice(vocabulary)
            candidate = replace(page, paragraphs=tuple(" ".join(p) for p in words))
            if _jaccard(original, _article_text(candidate)) <= target:
                break
        site = page.site or _LANGS[page.lang or "en"].sites[0]
        return replace(candidate, url=url or self.url(site, page.title))

    def quick_near_variant(self, page: _Page) -> _Page:
        """Scaled corpus: about one changed word in eighty (Jaccard near 0.88), no measuring."""
        rng = self.rng
        words = [p.split(" ") for p in page.paragraphs]
        total = sum(len(p) for p in words)
        for _ in range(max(2, total // 80)):
            p = rng.randrange(len(words))
            source = words[rng.randrange(len(words))]
            words[p][rng.randrange(len(words[p]))] = source[rng.randrange(len(source))]
        site = page.site or _LANGS[page.lang or "en"].sites[0]
        return replace(
            page,
            paragraphs=tuple(" ".join(p) for p in words),
            url=self.url(site, page.title),
            tags=page.tags | {"near_dup"},
        )

    def junk(self, kind: str) -> _Page:
        rng = self.rng
        site = rng.choice(_LANGS["en"].sites)
        tags = frozenset({f"junk:{kind}"})
        url = self.url(site, kind.replace("_", " "), section="p")
        if kind == "boilerplate":
            return _Page(
                url,
                "en",
                paragraphs=(
                    "Share this page: Facebook · Mastodon · E-mail · Print",
                    "Subscribe to our newsletter",
                    "Related posts",
                    "Back to top",
                ),
                tags=tags,
                site=site,
            )
        if kind == "nav_only":
            labels = [f"{label} {i}" if i else label for i in range(2) for label in _NAV_LABELS]
            links = "".join(f'<li><a href="/c/{_slug(x)}">{x}</a></li>\n' for x in labels)
            markup = (
                f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f"<title>Shop</title>\n</head>\n<body>\n<ul>\n{links}</ul>\n</body>\n"
                "</html>\n"
            )
            return _Page(
                url, "en", raw=markup.encode(), text="\n".join(labels), tags=tags, site=site
            )
        if kind == "lorem":
            paragraphs = tuple(
                "Lorem ipsum dolor sit amet, " + " ".join(rng.choices(_LOREM, k=45)) + "."
                for _ in range(3)
            )
            return _Page(
                url, None, title="Lorem ipsum", paragraphs=paragraphs, tags=tags, site=site
            )
        if kind == "js_required":
            return _Page(
                url,
                "en",
                raw=_JS_PAGE.encode(),
                text="You need to enable JavaScript to run this app.",
                tags=tags,
                site=site,
            )
        if kind == "symbols":
            noise = "".join(rng.choices(_SYMBOLS, k=600))
            markup = (
                f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>'
                f"</title>\n</head>\n<body>\n<pre>{_esc(noise)}</pre>\n</body>\n</html>\n"
            )
            return _Page(url, None, raw=markup.encode(), text=noise, tags=tags, site=site)
        if kind == "short":
            markup = (
                '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                "<title>Coming soon</title>\n</head>\n<body>\n<p>Coming soon.</p>\n</body>\n"
                "</html>\n"
            )
            return _Page(url, "en", raw=markup.encode(), text="Coming soon.", tags=tags, site=site)
        if kind == "empty":
            markup = "<!DOCTYPE html>\n<html>\n<head>\n<title></title>\n</head>\n<body>\n</body>\n"
            return _Page(
                url, None, raw=(markup + "</html>\n").encode(), text="", tags=tags, site=site
            )
        if kind == "repeated":
            line = "Buy cheap garden gnomes online! Free shipping on every order today!"
            return _Page(
                url, "en", title="Garden gnomes", paragraphs=(line,) * 60, tags=tags, site=site
            )
        raise ValueError(f"unknown junk kind {kind!r}")

    def with_markup(self, page: _Page, markup: _Markup) -> _Page:
        host = (page.site or _LANGS[page.lang or "en"].sites[0]).host
        head = page.head + tuple(h.format(host=host) for h in markup.head)
        if markup.jsonld_license:
            data = {
                "@context": "https://schema.org",
                "@type": "Article",
                "headline": page.title,
                "author": {"@type": "Person", "name": page.author},
                "license": markup.jsonld_license,
            }
            head += (
                '<script type="application/ld+json">'
                + json.dumps(data, ensure_ascii=False)
                + "</script>",
            )
        return replace(
            page,
            head=head,
            tags=page.tags | frozenset(markup.tags),
            headers=page.headers + tuple((k, v.format(host=host)) for k, v in markup.headers),
            footer=page.footer if markup.footer is None else markup.footer,
            rights=page.rights if markup.rights is None else markup.rights,
            extra_html=page.extra_html if markup.extra_html is None else markup.extra_html,
        )

    def pii_sentence(self, lang: str) -> tuple[str, frozenset[str]]:
        rng = self.rng
        if rng.random() < 0.7:
            email = f"{rng.choice(_EMAIL_USERS)}@{rng.choice(_EMAIL_DOMAINS)}"
            return (
                _CONTACT_FRAMES[lang].format(email=email, phone=self.phone()),
                frozenset({"pii:email", "pii:phone"}),
            )
        frame, tag = rng.choice(_OTHER_PII_FRAMES)
        ipv4 = f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"
        ipv6 = f"2001:db8:{rng.randint(1, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
        return (
            frame.format(
                card=rng.choice(_CARDS),
                ipv4=ipv4,
                ipv6=ipv6,
                iban=rng.choice(_IBANS),
                ssn="219-09-9999",
            ),
            frozenset({tag}),
        )

    def phone(self) -> str:
        """A phone number from a range reserved for fiction (US 555-01xx, UK, France, DE)."""
        rng = self.rng
        kind = rng.randrange(5)
        if kind == 0:
            return f"({rng.choice(_AREA_CODES)}) 555-01{rng.randint(0, 99):02d}"
        if kind == 1:
            return f"+1 {rng.choice(_AREA_CODES)} 555 01{rng.randint(0, 99):02d}"
        if kind == 2:
            return f"+44 20 7946 0{rng.randint(0, 999):03d}"
        if kind == 3:
            return f"+33 1 99 00 {rng.randint(10, 99)} {rng.randint(10, 99)}"
        return f"+49 30 23125 {rng.randint(100, 999)}"

    def long_article(self, chars: int = 100_000) -> _Page:
        """One very long English document of distinct sentences (the default pool holds ~110 KB)."""
        rng = self.rng
        pool = self.pools.sentences("en")
        chosen: list[str] = []
        size = 0
        for sentence in rng.sample(pool, len(pool)):
            if size >= chars:
                break
            chosen.append(sentence)
            size += len(sentence) + 1
        site = _LANGS["en"].sites[2]
        title = "The complete guide to the Ashcombe valley"
        return _Page(
            self.url(site, title),
            "en",
            title=title,
            paragraphs=tuple(_split_paragraphs(chosen, rng, " ")),
            tags=frozenset({"long"}),
            site=site,
            author="Maya Thornbury",
        )


# ---------------------------------------------------------------------------------------------
# The default sample and the scaled corpus
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Revisit:
    original_url: str
    url: str


_Entry = _Page | _Revisit
_HTML_FORMATS = frozenset({"warc_record_gzip", "warc_plain", "warc_file_gzip", "arc"})
_TEXT_SOURCES = ("news-archive", "forum-dump", "blog-mirror", "web-archive")
_WIN1252_FR = (
    "Au marché de Belleforge, le kilo de bœuf a pris 2 € en un an, et les œufs de la ferme "
    "voisine partent avant neuf heures ; même le cœur de laitue coûte désormais 1,50 €."
)
_ES_LICENSE_NOTE = _Markup(
    ("license:CC-BY-SA-4.0", "license_src:a_rel"),
    extra_html='<p class="license-note">Este artículo se publica bajo una licencia <a '
    'rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/deed.es">'
    "Creative Commons Atribución-CompartirIgual 4.0 Internacional</a>.</p>\n",
    rights="Algunos derechos reservados.",
)


def _shard_name(fmt: str, index: int) -> str:
    return {
        "warc_record_gzip": f"crawl-{index:05d}.warc.gz",
        "warc_plain": f"crawl-{index:05d}.warc",
        "warc_file_gzip": f"crawl-{index:05d}.warc.gz",
        "arc": f"crawl-{index:05d}.arc.gz",
        "wet": f"crawl-{index:05d}.warc.wet.gz",
        "jsonl_gz": f"docs-{index:05d}.jsonl.gz",
        "jsonl_zst": f"docs-{index:05d}.jsonl.zst",
        "parquet": f"docs-{index:05d}.parquet",
    }[fmt]


def _layout(counts: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """(shard name, format, documents) for per-format document counts, in FORMAT_MIX order.

    Crawl shards (WARC, ARC) share one index sequence, WET shards mirror the first crawl
    indices, document shards (JSONL, Parquet) have their own.
    """
    next_index = {"crawl": 0, "wet": 0, "docs": 0}
    plan = []
    for fmt in FORMAT_MIX:
        n = counts.get(fmt, 0)
        shards = math.ceil(n / MAX_DOCS_PER_SHARD)
        family = "wet" if fmt == "wet" else "docs" if fmt.startswith(("jsonl", "parq")) else "crawl"
        for s in range(shards):
            plan.append((_shard_name(fmt, next_index[family]), fmt, n // shards + (s < n % shards)))
            next_index[family] += 1
    return plan


def _default_plan(f: _Factory) -> dict[str, list[_Entry]]:
    """The curated sample: which page goes to which format, in which order."""
    rng = f.rng
    plan: dict[str, list[_Entry]] = {fmt: [] for fmt in FORMAT_MIX}

    def articles(fmt: str, counts: Mapping[str, int]) -> None:
        for lang, n in counts.items():
            plan[fmt].extend(f.article(lang) for _ in range(n))

    def path_of(page: _Page) -> tuple[str, str]:
        assert page.url is not None
        host, _, path = page.url.partition("://")[2].partition("/")
        return host, path

    # crawl-00000.warc.gz: most of the phenomena.
    crawl = plan["warc_record_gzip"]
    articles(
        "warc_record_gzip",
        {"en": 14, "de": 6, "fr": 5, "es": 5, "it": 5, "nl": 5, "pt": 3, "pl": 3, "ru": 3, "ja": 3},
    )
    for key in (
        "pii_contact_en",
        "pii_impressum_de",
        "pii_fr",
        "pii_card_en",
        "pii_ip_en",
        "pii_ssn_en",
        "pii_iban_nl",
        "pii_es",
        "offensive_review_en",
        "offensive_sports_en",
        "offensive_de",
        "identity_muslim_en",
        "identity_gay_en",
        "identity_deaf_en",
        "identity_black_en",
        "identity_jewish_en",
        "identity_wheelchair_en",
        "identity_trans_en",
    ):
        crawl.append(f.special(key))
    for lang, kind in (
        ("en", "a_rel_by_sa"),
        ("de", "link_by"),
        ("fr", "meta_by_nc"),
        ("en", "jsonld_by_nd"),
        ("nl", "cc0"),
        ("en", "text_by"),
        ("en", "figure_trap"),
    ):
        crawl.append(f.with_markup(f.article(lang), _LICENSE_MARKUP[kind]))
    crawl.append(f.with_markup(f.article("es"), _ES_LICENSE_NOTE))
    for lang, kind in (
        ("en", "meta"),
        ("de", "header"),
        ("fr", "tdm_header"),
        ("it", "tdm_meta"),
        ("en", "trap_index_follow"),
        ("es", "trap_noarchive"),
    ):
        crawl.append(f.with_markup(f.article(lang), _OPTOUT_MARKUP[kind]))
    crawl.extend(f.junk(kind) for kind in _JUNK_KINDS)
    courier, allotments = _LANGS["en"].sites[0], _LANGS["en"].sites[1]
    crawl.append(
        _Page(
            f.url(courier, "page not found", "missing"),
            "en",
            title="Page not found",
            paragraphs=(
                "Sorry, the page you are looking for does not exist or has been moved.",
                "Try the search box above or go back to the home page.",
            ),
            status=404,
            site=courier,
            tags=frozenset({"http:404"}),
        )
    )
    crawl.append(
        _Page(
            f"https://{courier.host}/old-news/summer-fair",
            None,
            status=301,
            raw=b"",
            headers=(("Location", f"https://{courier.host}/news/summer-fair"),),
            site=courier,
            tags=frozenset({"http:301"}),
        )
    )
    crawl.append(
        _Page(
            f"https://{allotments.host}/images/plot-map.png",
            None,
            raw=_png(),
            mime="image/png",
            site=allotments,
            tags=frozenset({"non_text"}),
        )
    )
    crawl.append(
        _Page(
            f"https://{allotments.host}/files/annual-report-2026.pdf",
            None,
            raw=_pdf("Greenhollow Allotment Society - Annual Report 2026"),
            mime="application/pdf",
            site=allotments,
            tags=frozenset({"non_text"}),
        )
    )
    # Exact duplicates: the same bytes at several URLs, within and across crawl formats.
    g1 = f.article("en", paragraphs=4, site=courier, tags=("dup:exact:g1",))
    host, path = path_of(g1)
    g1_arc = replace(g1, url=f"http://{host}/print/{path}")
    crawl += [g1, replace(g1, url=f"https://www.{host}/{path}?utm_source=newsletter")]
    g2 = f.article("de", paragraphs=4, tags=("dup:exact:g2",))
    g2_copy = replace(g2, url=f"https://{path_of(g2)[0]}/archiv/{path_of(g2)[1]}")
    g5 = f.article("fr", tags=("dup:exact:g5",))
    assert g5.url is not None
    crawl += [g2, g5, replace(g5, url="http://" + g5.url.removeprefix("https://"))]
    # Near duplicates: a few words changed; n2 also gets a different footer.
    n1 = f.article("en", paragraphs=5, tags=("near_dup:n1",))
    n5 = f.article("it", paragraphs=5, tags=("near_dup:n5",))
    n2 = f.article("es", paragraphs=5, tags=("near_dup:n2",))
    n2_variant = replace(
        f.near_variant(n2, 0.9),
        footer="<p>Boletín semanal: suscríbase gratis y reciba las noticias cada lunes.</p>",
    )
    # Both variants of n5 stay close to the original so that they stay close to each other.
    crawl += [
        n1,
        f.near_variant(n1, 0.88),
        n5,
        f.near_variant(n5, 0.92),
        f.near_variant(n5, 0.92),
        n2,
    ]
    rng.shuffle(crawl)
    plain_en = next(p for p in crawl if isinstance(p, _Page) and p.lang == "en" and not p.tags)
    assert plain_en.url is not None
    crawl += [
        _Revisit(plain_en.url, plain_en.url),
        _Revisit(g1.url or "", f"https://m.{host}/{path}"),
    ]

    # crawl-00001.warc: plain WARC with a chunked response and a windows-1252 page.
    plain = plan["warc_plain"]
    plain.append(replace(f.article("en"), chunked=True, tags=frozenset({"http:chunked"})))
    plain.append(
        replace(
            f.article("fr", specials=(_WIN1252_FR,)),
            charset="windows-1252",
            tags=frozenset({"charset:windows-1252"}),
        )
    )
    articles("warc_plain", {"de": 1, "nl": 1, "pt": 1, "it": 1})
    plain.append(n2_variant)
    rng.shuffle(plain)

    # crawl-00002.warc.gz (one gzip member) and crawl-00003.arc.gz.
    articles("warc_file_gzip", {"en": 1, "fr": 1, "ru": 1, "ja": 1, "es": 1, "pl": 1})
    plan["warc_file_gzip"].append(g2_copy)
    rng.shuffle(plan["warc_file_gzip"])
    articles("arc", {"en": 1, "de": 1, "fr": 1, "nl": 1, "it": 1})
    plan["arc"].append(g1_arc)
    rng.shuffle(plan["arc"])

    # crawl-00000.warc.wet.gz
    wet = plan["wet"]
    articles(
        "wet", {"en": 4, "fr": 2, "es": 2, "it": 1, "nl": 1, "pt": 1, "ru": 1, "ja": 1, "pl": 1}
    )
    g4 = f.article("en", tags=("dup:exact:g4",))
    n4 = f.article("de", paragraphs=5, tags=("near_dup:n4",))
    wet += [
        g4,
        replace(g4, url=f"https://mirror.{path_of(g4)[0]}/{path_of(g4)[1]}"),
        n4,
        f.near_variant(n4, 0.88),
        f.special("pii_support_en"),
        f.junk("short"),
    ]
    rng.shuffle(wet)

    # JSON lines and Parquet: plain text records.
    docs_gz, docs_zst, docs_pq = plan["jsonl_gz"], plan["jsonl_zst"], plan["parquet"]
    articles(
        "jsonl_gz",
        {"en": 6, "de": 2, "fr": 2, "es": 1, "it": 1, "nl": 1, "pt": 1, "pl": 1, "ru": 1, "ja": 1},
    )
    g3 = f.article("en", tags=("dup:exact:g3",))
    n3 = f.article("en", paragraphs=5, tags=("near_dup:n3",))
    docs_gz += [
        _Page(
            f.url(_LANGS["en"].sites[5], "untitled", "t"),
            None,
            text="",
            tags=frozenset({"junk:empty"}),
        ),
        f.long_article(),
        g3,
        n3,
        f.special("pii_parcel_en"),
        f.special("offensive_app_en"),
        f.special("identity_lesbian_en"),
    ]
    # Short community notes from a deaf club: friendly, on topic and too short for the Gopher
    # word-count rule, so the quality stage removes this group's documents far more often than
    # others; the build's bias audit is meant to mark exactly that.
    notes_site = _LANGS["en"].sites[3]
    docs_gz += [
        _Page(
            f.url(notes_site, title, "notes"),
            "en",
            title=title,
            paragraphs=(note,),
            tags=frozenset({"identity:disability", "community_note"}),
        )
        for title, note in _DEAF_CLUB_NOTES
    ]
    articles(
        "jsonl_zst",
        {"en": 4, "de": 1, "fr": 1, "es": 1, "it": 1, "nl": 1, "pt": 1, "ru": 1, "ja": 1},
    )
    docs_zst += [
        replace(f.article("en"), url=None, tags=frozenset({"field:missing_url"})),
        replace(g3, url=f"https://mirror.{path_of(g3)[0]}/{path_of(g3)[1]}"),
    ]
    articles("parquet", {"en": 4, "de": 1, "fr": 2, "es": 1, "it": 1, "nl": 1, "pl": 1, "ja": 1})
    docs_pq += [
        replace(g3, url=f"https://archive.example.net/{path_of(g3)[1]}"),
        f.near_variant(n3, 0.88),
        f.special("pii_it"),
        f.special("identity_muslim_de"),
    ]
    for fmt in ("jsonl_gz", "jsonl_zst", "parquet"):
        rng.shuffle(plan[fmt])
        plan[fmt] = [
            replace(p, source=rng.choice(_TEXT_SOURCES)) for p in plan[fmt] if isinstance(p, _Page)
        ]
    return plan


_SCALED_EXTRAS = (
    "offensive_review_en",
    "offensive_sports_en",
    "offensive_app_en",
    "identity_muslim_en",
    "identity_gay_en",
    "identity_deaf_en",
    "identity_black_en",
    "identity_jewish_en",
    "identity_wheelchair_en",
    "identity_trans_en",
    "identity_lesbian_en",
)


class _ScaledSource:
    """Endless seeded pages with the default sample's mix: about 3% exact and 3% near
    duplicates, 10% with PII, 3% junk, and a little licence, opt-out and toxic content."""

    def __init__(self, seed: int, shard: str) -> None:
        # Each shard has its own random stream, so shards can be written in any order or in
        # parallel and still come out byte-identical.
        self.f = _Factory(seed, per_template=150, label=f"scaled:{shard}")
        self._langs = tuple(_LANGUAGE_MIX)
        self._cum = list(itertools.accumulate(_LANGUAGE_MIX.values()))
        self._recent: dict[bool, deque[_Page]] = {True: deque(maxlen=64), False: deque(maxlen=64)}
        self._lengths: dict[str, tuple[int, int]] = {}
        self._binaries = (
            (_png(), "image/png", "images/chart.png"),
            (_pdf("Quarterly newsletter"), "application/pdf", "files/newsletter.pdf"),
        )

    def _sentences(self, lang: str) -> tuple[int, int]:
        """Sentence counts giving about 2,000 characters of text on average."""
        if lang not in self._lengths:
            pool = self.f.pools.sentences(lang)
            mean = round(2000 / (sum(map(len, pool)) / len(pool)))
            self._lengths[lang] = (max(3, mean - 5), mean + 5)
        return self._lengths[lang]

    def page(self, html_family: bool) -> _Page:
        f, rng = self.f, self.f.rng
        r = rng.random()
        recent = self._recent[html_family]
        if r < 0.06 and recent:
            source = recent[rng.randrange(len(recent))]
            if r < 0.03:
                site = source.site or _LANGS[source.lang or "en"].sites[0]
                return replace(
                    source,
                    url=f.url(site, source.title, section="mirror"),
                    tags=source.tags | {"dup:exact"},
                )
            if source.lang != "ja":
                return f.quick_near_variant(source)
        lang = self._langs[bisect.bisect_right(self._cum, rng.random() * self._cum[-1])]
        page = f.article(lang, sentences=self._sentences(lang))
        if r < 0.16:
            sentence, tags = f.pii_sentence(lang)
            paragraphs = list(page.paragraphs)
            middle = len(paragraphs) // 2
            paragraphs[middle] = _LANGS[lang].joiner.join((paragraphs[middle], sentence))
            page = replace(page, paragraphs=tuple(paragraphs), tags=page.tags | tags)
        elif r < 0.19:
            return f.junk(rng.choice(_JUNK_KINDS))
        elif r < 0.21 and html_family:
            page = f.with_markup(page, rng.choice(tuple(_LICENSE_MARKUP.values())))
        elif r < 0.22 and html_family:
            page = f.with_markup(page, rng.choice(tuple(_OPTOUT_MARKUP.values())))
        elif r < 0.23:
            _, _, lines, extra_tags = _SPECIALS[rng.choice(_SCALED_EXTRAS)]
            page = replace(
                page, paragraphs=page.paragraphs + lines, tags=page.tags | frozenset(extra_tags)
            )
        recent.append(page)
        return page

    def entries(self, fmt: str, count: int) -> Iterator[_Entry]:
        """`count` candidate documents for one shard; per-record WARC shards also get 404s,
        non-text responses and revisit records (which are not candidates)."""
        html_family = fmt in _HTML_FORMATS
        extras = fmt == "warc_record_gzip"
        courier = _LANGS["en"].sites[0]
        last_url = None
        for i in range(1, count + 1):
            if extras and i % 250 == 0:
                yield _Page(
                    self.f.url(courier, "gone", "missing"),
                    "en",
                    title="Page not found",
                    paragraphs=("Sorry, this page does not exist.",),
                    status=404,
                    site=courier,
                    tags=frozenset({"http:404"}),
                )
            elif extras and i % 400 == 0:
                raw, mime, path = self._binaries[(i // 400) % 2]
                yield _Page(
                    f"https://{courier.host}/{path}?v={i}",
                    None,
                    raw=raw,
                    mime=mime,
                    site=courier,
                    tags=frozenset({"non_text"}),
                )
            else:
                page = self.page(html_family)
                if fmt == "warc_plain" and page.raw is None:
                    if i % 50 == 0:
                        page = replace(page, chunked=True, tags=page.tags | {"http:chunked"})
                    elif i % 20 == 0 and page.lang in {"en", "fr", "de", "es", "it", "nl", "pt"}:
                        page = replace(
                            page, charset="windows-1252", tags=page.tags | {"charset:windows-1252"}
                        )
                yield page
                last_url = page.url
            if extras and i % 500 == 0 and last_url:
                yield _Revisit(last_url, last_url)


def _write_shard(
    path: Path, fmt: str, entries: Iterable[_Entry], seed: int, truth: _TruthBuilder
) -> None:
    name = path.name
    writer: _WarcWriter | _ArcWriter | _JsonlWriter | _ParquetWriter
    if fmt in ("warc_record_gzip", "warc_plain", "warc_file_gzip", "wet"):
        compression = {"warc_plain": "none", "warc_file_gzip": "file"}.get(fmt, "record")
        described = "WARC File Format 1.1" + (" (WET: extracted text)" if fmt == "wet" else "")
        writer = _WarcWriter(path, seed, compression, described)
        for entry in entries:
            if isinstance(entry, _Revisit):
                writer.revisit(entry.original_url, entry.url)
            elif fmt == "wet":
                truth.add(name, writer.conversion(entry), entry)
            else:
                truth.add(name, writer.page(entry), entry)
    elif fmt == "arc":
        writer = _ArcWriter(path)
        for entry in entries:
            assert isinstance(entry, _Page)
            truth.add(name, writer.page(entry), entry)
    else:
        writer = (
            _ParquetWriter(path)
            if fmt == "parquet"
            else _JsonlWriter(path, "gzip" if fmt == "jsonl_gz" else "zstd")
        )
        for entry in entries:
            assert isinstance(entry, _Page)
            truth.add(name, writer.add(entry), entry)
    writer.close()
    truth.shard(name, writer.counts)


def _write_scaled_shard(outdir: Path, name: str, fmt: str, size: int, seed: int) -> _TruthBuilder:
    truth = _TruthBuilder(keep_documents=False)
    _write_shard(outdir / name, fmt, _ScaledSource(seed, name).entries(fmt, size), seed, truth)
    return truth


def write_sample(
    outdir: Path, documents: int | None = None, seed: int = 0, *, workers: int = 1
) -> SampleTruth:
    """Write the sample corpus into `outdir` (created if missing) and return what it holds.

    `documents=None` writes the curated default sample; `documents=N` a scaled corpus of N
    candidate documents in shards of at most MAX_DOCS_PER_SHARD documents, `workers` shards at
    a time in separate processes. The same `documents` and `seed` always give byte-identical
    files, whatever the number of workers.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if documents is None:
        truth = _TruthBuilder(keep_documents=True)
        plan = _default_plan(_Factory(seed, per_template=60, label="default"))
        counts = {fmt: sum(isinstance(e, _Page) for e in entries) for fmt, entries in plan.items()}
        for name, fmt, _ in _layout(counts):
            _write_shard(outdir / name, fmt, plan[fmt], seed, truth)
        return truth.build(seed, documents)
    if documents < 1:
        raise ValueError(f"documents must be at least 1, got {documents}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    counts = {fmt: int(documents * share) for fmt, share in FORMAT_MIX.items()}
    counts["warc_record_gzip"] += documents - sum(counts.values())
    names, formats, sizes = zip(*_layout(counts), strict=True)
    jobs = (itertools.repeat(outdir), names, formats, sizes, itertools.repeat(seed))
    truth = _TruthBuilder(keep_documents=False)
    if workers == 1:
        parts = list(map(_write_scaled_shard, *jobs))
    else:
        # "spawn": forking a process that has started pyarrow's threads can deadlock.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = list(pool.map(_write_scaled_shard, *jobs))
    for part in parts:
        truth.merge(part)
    return truth.build(seed, documents)
