"""Synthetic Indonesian population with planted duplicates of known truth.

Import and record-linkage benchmarks need data that looks like a Dinas Sosial export
(regional names, NIK/KK numbers, real Kemendagri village codes, PMKS categories) *and*
an answer key: which rows are the same real person. Every row carries ``truth_id``, the
id of the person it describes. About ``duplicate_rate`` of the rows are extra, perturbed
records of an earlier person (typos, old spellings, swapped day/month, missing NIK, moved
address, titles ...), so precision and recall of matching can be measured exactly. The
product ignores the unknown ``truth_id`` column.

    .venv/bin/python benchmarks/synth.py --rows 1000000 --out var/bench/people_1m.csv
    .venv/bin/python benchmarks/synth.py --rows 1000 --out /tmp/p.csv --seed 7 --duplicate-rate 0.2

As a module (benchmarks put their own folder on sys.path): ``synth.generate(rows)`` yields
dicts keyed by ``HEADER``; ``synth.write_csv(path, rows)`` writes the CSV. Output is
deterministic for a seed: one ``random.Random(seed)`` drives everything.
"""

import argparse
import csv
import gc
import gzip
import random
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

HEADER = [
    "truth_id", "Nama", "NIK", "No KK", "Jenis Kelamin", "Tempat Lahir", "Tgl Lahir",
    "Alamat", "Kode Wilayah", "Nama Ibu", "Nama Ayah", "Kategori PMKS",
]  # fmt: skip
TRUTH, NAMA, NIK, KK, JK, TEMPAT, TGL, ALAMAT, KODE, IBU, AYAH, KATEGORI = range(12)
VILLAGES = Path(__file__).resolve().parents[1] / "jejaring/regions/data/villages.csv.gz"
REF_YEAR = 2024  # ages (child / adult / elderly categories) are relative to this year
RESERVOIR = 100_000  # duplicates are drawn from a bounded sample of earlier people
HOUSEHOLD_SHARE = 0.25  # share of draws that create a mother with 1-3 children
DIM = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


# Name pools. A paragraph header is "pool kind"; then lists of given names by sex (m, f),
# second words by sex (sm, sf; sf defaults to sm, as family names are shared by both sexes) and
# local towns for Tempat Lahir. Indented lines continue a list; "@pool" reuses another's list.
NAME_DATA = """
jawa plain
m Joko Budi Slamet Sutrisno Suharto Purnomo Bambang Agus Eko Heru Sugeng Wahyu Teguh Didik Hari
  Bayu Dwi Tri Yudi Priyo Gatot Sukardi Sumarno Suparman Sutarno Mulyono Wiyono Haryanto Sugiyanto
  Supriyadi Wawan Paimin Tukiman Kasno Warsito Sarwono Triyono Rudi Dimas Aris Anton Bagus Arief
  Prasetyo Setyo Wibowo
f Sri Wahyuni Suharti Sumiyati Endang Tuti Sulastri Suprapti Rukmini Kartini Murni Sumarni Sunarti
  Partini Ngatini Sutini Tumini Wartini Lestari Yuli Dwi Tri Eni Ani Sari Rini Retno Siti Ayu
  Wulandari Purwanti Handayani Setyowati Rahayu Astuti Indah Endah Ratna Hartini Suryani Mulyani
  Winarsih Sukarni Parmi Sarmi Tatik Dyah
sm Santoso Susilo Purnomo Wibowo Nugroho Prasetyo Setiawan Hartono Suryanto Wijaya Raharjo Budiman
  Sutrisno Riyadi Haryanto Kuncoro Pamungkas Utomo Saputro Wicaksono Priyanto Sulistyo Hadi Mulyadi
  Gunawan Santosa Darmawan Kurniawan Widodo Sugiarto
sf Wahyuni Lestari Rahayu Astuti Handayani Purwanti Setyaningsih Widyaningsih Rahmawati Kusumawati
  Wulandari Utami Susanti Hartati Mulyani Suryani Ningsih Pratiwi Anggraini Puspitasari Maharani
  Kurniasih Fitriani Yuliani Sulistyowati Nurhayati Wijayanti Hastuti
towns Surakarta Semarang Yogyakarta Surabaya Malang Kediri Madiun Klaten Boyolali Sragen Magelang
  Pati Kudus Blitar Jember Tulungagung Ngawi Wonogiri Purworejo Banyumas
sunda plain
m Asep Ujang Dadang Cecep Iwan Dede Ade Agus Acep Aceng Jajang Yayan Dodi Endang Wawan Deden Didin
  Encep Engkos Usep Yusuf Ilham Rudi Hendra Kurnia Aep Dudung Ajat Oman Udin Jaja Nana Maman Ading
  Entis Dedi Tatang Dayat Aris Rizal Gilang Rangga
f Euis Neng Nining Imas Iis Enung Cucu Yayah Titin Eulis Nenden Rina Lilis Tati Ai Cicih Dedeh Elis
  Entin Iin Nani Nunung Popon Rika Siti Teti Tini Wiwin Yati Yuyun Dewi Ratna Santi Ayu Fitri Heni
  Nia Nurul Rosita Sri Icih Onih Enok Dini Gina Resti
sm Kurniawan Sunandar Suryana Hidayat Supriatna Permana Setiawan Gunawan Sopandi Rahmat Saepudin
  Ruhiyat Suhendar Hermawan Nugraha Mulyana Sukmana Wijaya Sutisna Kusnadi Iskandar Firmansyah
  Sudrajat Suganda Rusmana Sobari Somantri Mulyadi Sasmita Sumarna
sf Komariah Rohayati Kurniasih Nurhayati Yuliani Rahmawati Suryani Hartini Maryati Rosmiati Sumiati
  Juariah Hasanah Nurjanah Mulyani Rukmini Ningsih Sulastri Hayati Fitriani Wulandari Kartika
  Ratnasari Lestari Anggraeni Susanti Setiawati Maesaroh Rohmah
towns Bandung Bogor Garut Tasikmalaya Ciamis Sumedang Cianjur Sukabumi Subang Kuningan Majalengka
  Serang Pandeglang Lebak Cirebon Karawang Purwakarta Cimahi
batak surname
m Togar Ucok Parlindungan Poltak Sahat Tigor Bonar Marihot Horas Binsar Hotman Jonggi Torang Sarmen
  Lamhot Parulian Manahan Pangihutan Ronald Rudolf Janter Sabar Mangasi Hasudungan Tongam Maruli
  Darwin Jhonson Benny Frans Hendrik Robert Saut Ramli Edison Martua Gomgom Rianto Hamonangan
f Rosmawati Butet Rosdiana Tiurma Lamtiur Romauli Nurmala Melati Rotua Dame Sondang Tiominar
  Hotnida Rumondang Lasma Nurhaida Ruth Erni Rosmaida Saulina Martha Juliana Hotmaida Rosnida
  Tiarma Lenny Nova Rina Debora Sarma Mariana Intan Roslina Pesta Duma Ester Yanti Friska Ida
sm Hutapea Siregar Nasution Lubis Simanjuntak Sitompul Harahap Hutagalung Panjaitan Simatupang
  Situmorang Sinaga Simbolon Pardede Tampubolon Sihombing Manurung Silalahi Sitorus Napitupulu
  Hasibuan Pane Daulay Tambunan Gultom Marpaung Purba Saragih Ginting Tarigan Sembiring Sirait
  Pohan Rangkuti Batubara Damanik Aritonang Lumbantobing
towns Medan Tarutung Balige Sibolga Pematangsiantar Padangsidimpuan Tebingtinggi Kabanjahe Porsea
  Rantauprapat Sidikalang Binjai
minang minang
m Rahmat Syafrizal Afrizal Yusrizal Zulhendri Dasrul Syahrul Jasman Bustami Masrul Nofrizal Rusdi
  Darmawi Edwar Firdaus Hendri Irwan Jon Muslim Novri Rizal Syamsul Yuhelmi Zulkarnain Arman Basri
  Efendi Fadli Gusnaldi Hamdani Indra Khairul Nasrul Rahmadi Yulizar Andri Doni Ferdi Alfian
f Yulianti Fitri Yusnimar Nurlaila Rosmaini Syafrida Desmawati Elfi Gusnawati Husnidar Irmawati
  Jusniar Kasmawati Lusi Marlina Nelmi Nurhayati Rosna Sumarni Syamsiar Wirda Yenni Yusni Zulaikha
  Asnidar Darni Erma Hasnah Misrawati Nofrita Refni Rahmi Trisna Welli Yelfi Zuriati Elvira Vivi
  Febri
sm Syafrizal Efendi Chaniago Koto Piliang Tanjung Sikumbang Zulkarnain Rasyid Malin Putra Saputra
  Syahputra Hamzah Idris Yunus Jamil Rusli Basyir Arifin Amran Hasan Syarif Rahman Yusuf Kamal
  Munir Usman Zainal Fikri
sf Yulianti Fitri Wati Yanti Sari Hayati Rahmi Yusnita Elfira Susanti Marni Warni Nelly Yunita
  Deswita Ernawati Hasni Lismawati Mardiah Novita Rosita Syafitri Yuliarni Zulfa Asmaniar Darmawati
  Efrida Gusniati Nurmaini Putri
towns Padang Bukittinggi Payakumbuh Solok Pariaman Batusangkar Sawahlunto Padangpanjang Painan
  Lubukbasung Pasaman Sijunjung
malay plain
m Zulkifli Rahmat Hidayat Syahrial Azhar Zainal Syamsul Hasbi Khairul Fadli Azwar Rizal Amri Mahmud
  Samsuddin Junaidi Ridwan Jamaluddin Kamaruddin Hamdan Mansur Tarmizi Rusli Syahril Effendi
  Darmawan Nasrul Roni Dedi Hendra Irwan Yusri Bakhtiar Firdaus Suhaimi Arifin Asnawi Jufri Razali
  Saiful
f Nurul Fitri Rahmah Nurhayati Zubaidah Rosnah Aminah Halimah Maimunah Rohani Salmah Hasnah Fatimah
  Zaleha Norma Juliana Rosmawati Nurlela Asmah Siti Yusnita Erlina Nurbaiti Mariani Suryani Rahimah
  Linda Nurmala Elmi Dahlia Jamilah Khadijah Mardiana Sarifah Sri Nurhasanah Zuraidah Noraini
sm Hidayat Rahman Syahputra Saputra Effendi Hamid Harun Ismail Yusuf Abdullah Hasan Ahmad Salim
  Zainuddin Syahrial Azmi Hamzah Mahmud Husin Idrus Alwi Kadir Latif Rasyid Bakar Sulaiman Jalil
  Hanafi Arsyad Umar
sf Fitri Nurul Hayati Yanti Wati Aini Sari Rahmawati Safitri Hasanah Ningsih Zulaikha Maharani
  Puspita Fadillah Rosita Dewi Lestari Anggraini Susanti Yulianti Marlina Nurjanah Handayani Amelia
  Syafitri Kartini Maisarah Azizah Halimah
towns Pekanbaru Dumai Bengkalis Siak Tembilahan Rengat Bangkinang Tanjungpinang Batam Jambi
  Palembang Pontianak Bengkulu Pangkalpinang Lhokseumawe Sigli Samarinda Banjarmasin
bugis bugis
m Baso Hasanuddin Beddu Sudirman Syamsuddin Amiruddin Jamaluddin Muhtar Rusdi Kaharuddin Syahrir
  Arifin Hamzah Mappiare Lantara Sompa Ilham Irwan Akbar Asri Jufri Nasrun Rahman Saharuddin
  Salahuddin Muslimin Haris Tajuddin Muhlis Firman Ikhsan Haerul Alimuddin Nurdin Sainal Mustari
  Mansyur Ramli Sattar Anwar
f Besse Sitti Hasnah Nurhaedah Hajerah Hasniati Nurhayati Rosdiana Jumriani Murni Hamsinah Sumarni
  Nurjannah Suriani Hasmiati Rahmawati Nurbaya Kasmawati Darmawati Jusmiati Hartati Salmawati
  Satriani Ratna Mardiana Nurul Megawati Asriani Nuraeni Rahmatia Hadriani Warda Haslinda Fitriani
  Tenri Sulfiani Risna Nirwana Irma
sm Rahman Hamid Halim Mappiare Lantara Pabbicara Tahir Latif Saleh Jaya Syarif Rasyid Hasan Kadir
  Amin Arsyad Mustafa Yusuf Anwar Razak Malik Usman Sanusi Mansyur Idris Sattar Ramli Basri Rahim
sf Hasanah Rahmawati Hamid Nurhayati Sari Amir Yusuf Amin Ajeng Indah Kasim Latif Rasyid Hasan
  Syarif Mustafa Anwar Razak Saleh Arsyad Wahyuni Ningsih Jusman Tahir Fitri Halim Basri Rahim
towns Makassar Watampone Parepare Sengkang Sinjai Bulukumba Palopo Maros Sungguminasa Barru Pinrang
  Sidrap Soppeng Takalar Kendari Palu Mamuju
bali bali
m Sudarma Suartika Astawa Mertayasa Wirawan Adnyana Arsana Budiarta Darmawan Suarjana Sukadana
  Widiada Suardana Parwata Artawan Sudiarta Sutama Yasa Agung Ardana Arimbawa Dharma Eka Gunawan
  Kariasa Mahendra Murjana Oka Pasek Putra Rai Sanjaya Santika Subawa Sudana Sukarta Suweta Widana
  Winata Yudiana
f Sukerti Suastini Ariani Dewi Puspita Wahyuni Sumiati Kartini Astiti Ayu Sri Sutarmi Mariani
  Suryani Wulandari Sukarmi Widiastuti Yuliani Kusumawati Ratna Sari Rasmini Suartini Rusmini
  Sudiani Murniasih Artini Purnami Mertasari Sriasih Diah Kasih Widiantari Juliantari Ekayanti
  Ardani Suarni Kariani Suciati Padmi
sm Wayan Putu Gede Made Kadek Nengah Nyoman Komang Ketut
sf Wayan Putu Luh Made Kadek Nengah Nyoman Komang Ketut
towns Denpasar Singaraja Tabanan Gianyar Semarapura Bangli Amlapura Negara Mangupura Ubud
papua surname
m Yohanes Marthen Yakob Petrus Paulus Markus Yosias Simon Daniel Ferdinand Herman Lukas Matius
  Agustinus Yulius Yonas Elias Nikolas Obed Otniel Abner Benyamin Demianus Frans Hendrik Isak
  Kornelius Laurens Musa Niko Onesimus Ruben Salmon Titus Wempi Yeremias Zakeus
f Maria Yohana Martha Agustina Dorkas Fransina Elisabeth Naomi Ribka Selfina Welmina Yuliana Ester
  Debora Magdalena Sara Yosina Antonia Beatrix Christina Dina Everdina Feronika Hana Katarina Lidia
  Mince Nelce Orpa Paulina Rut Susana Tabita Yemima Lea Rahel
sm Mambor Wenda Kogoya Rumbiak Wonda Tabuni Yikwa Murib Karoba Rumbewas Mayor Wanma Ayomi Kaisiepo
  Rumkorem Sawaki Mandowen Kambu Yoku Waromi Fonataba Rumaropen Msen Wakerkwa Enembe Pigai Gobai
  Mote Tebay Ohee Kayame Degei Wetipo Kossay
towns Jayapura Wamena Biak Manokwari Sorong Nabire Merauke Timika Serui Fakfak Sentani Enarotali
  Mulia Tiom
east surname
m @papua
f @papua
sm Rumondor Wenas Tumbelaka Pangemanan Lumentut Sondakh Mandagi Rondonuwu Kaunang Wuisan Manafe
  Tefa Nenobais Bana Ndun Foenay Bria Seran Fernandez Pattiasina Siahaya Tuhumury Matulessy
  Latumahina Pelupessy Sahetapy Wattimena Lopulalan Soplanit Tanamal
towns Manado Tomohon Bitung Tondano Kupang Ende Maumere Atambua Soe Ambon Tual Masohi Ternate
  Tobelo Ruteng Waingapu
chinese surname
m Hendra Steven Kevin Michael Andreas William Johan Hengky Willy Ferry Tommy Rudy Budi Hartono
  Sugianto Ricky Jimmy Edward Felix Vincent Gunawan Eddy Anton Dennis Jonathan Kelvin Leonardo
  Albert Benny Charles Daniel Erwin Frans Hans Irwan Jason Robert Stefanus Suwandi
f Linda Lily Mei Susi Yenny Meliana Jessica Cindy Vivian Fenny Shirley Angelina Lanny Novi Lina
  Melinda Sherly Sylvia Wendy Yuliana Agnes Christine Debby Elisabeth Felicia Grace Helen Irene
  Jenny Kartika Lisa Monica Natalia Olivia Regina Stella Theresia Veronika Winny Yanti
sm Wijaya Gunawan Halim Salim Tanoto Kurniadi Setiadi Tjahjadi Lim Tan Liem Oei Ong Kwee Gouw
  Tjandra Sutanto Hartono Widjaja Santoso Susilo Limanto Tanuwijaya Sugiarto Hartanto Wibisono
  Chandra Kusuma Lie
towns Medan Jakarta Pontianak Singkawang Surabaya Semarang Bandung Pangkalpinang Palembang
  Bagansiapiapi Batam Makassar
islam plain
m Muhammad Ahmad Abdul Rizki Fauzi Hidayat Arif Hasan Husein Yusuf Ibrahim Ismail Ilham Irfan
  Taufik Fajar Ridwan Syaiful Rahmat Imam Umar Ali Hamzah Zainal Amir Fikri Iqbal Reza Akbar Agus
  Dedi Hendra Firman Hafiz Luthfi Nur Rizal Yoga Aditya Faisal Bayu Andi Rudi Aldi Dimas
f Siti Nur Putri Dewi Aisyah Fatimah Nurul Khadijah Zahra Annisa Rina Sari Indah Ayu Nia Dian Fitri
  Lestari Rahmawati Yuni Wulan Intan Maya Ratna Rini Nadia Salsabila Aulia Amalia Hana Laila
  Mutiara Nabila Rizka Anisa Diah Eka Fitria Kiki Mega Novi Syifa
sm Saputra Hidayat Rahman Hakim Firmansyah Setiawan Kurniawan Pratama Ramadhan Nugraha Wahyudi
  Syahputra Maulana Kusuma Permana Wijaya Rizki Akbar Fauzan Hamdani Syahrul Iskandar Prasetyo
  Aditya Ardiansyah Gunawan Santoso Irawan Febrian Alfarizi Fadillah
sf Lestari Hasanah Fadilah Rahmawati Utami Anggraini Purnamasari Handayani Susanti Safitri Amalia
  Aprilia Oktaviani Wulandari Puspitasari Maharani Novitasari Fitriani Rahmadani Ramadhani Azzahra
  Khairunnisa Kurniasih Yuliana Permatasari Nuraini Febriyanti Ningsih Pratiwi Sari Marlina
towns Jakarta Bandung Surabaya Medan Palembang Makassar Semarang Bekasi Tangerang Depok Samarinda
  Banjarmasin Balikpapan Mataram Bima Bandarlampung Gorontalo Ternate Kendari
"""


def _parse_pools(text):
    pools: dict[str, dict] = {}
    pool: dict = {}
    key = ""
    for line in text.strip().splitlines():
        head, *words = line.split()
        if line.startswith(" "):
            pool[key] += [head, *words]
        elif head in ("m", "f", "sm", "sf", "towns"):
            key = head
            pool[key] = list(pools[words[0][1:]][key]) if words[0][0] == "@" else words
        else:
            pool = pools[head] = {"kind": words[0]}
    for pool in pools.values():
        pool.setdefault("sf", pool["sm"])
        # Every two-word name (given + second word or family name), so most names cost one
        # random draw in the hot path.
        for sex, second in (("m", "sm"), ("f", "sf")):
            pool["p" + sex] = [f"{g} {s}" for g in pool[sex] for s in pool[second] if g != s]
    return pools


POOLS = _parse_pools(NAME_DATA)
DAENG = "Ngalle Nai Tata Sila Lalang Bella Kulle Rurung Sitaba Tojeng Ngasseng Bunga".split()
# Name pools by province code; the first pool also supplies birthplaces (local towns).
MIX = {"11": "malay:4 islam:6", "12": "batak:6 islam:2 malay:1 chinese:1",
       "13": "minang:7 islam:3", "14": "malay:6 islam:2 minang:1 batak:1",
       "18": "jawa:5 islam:3 sunda:1 malay:1", "19": "malay:5 islam:3 chinese:2",
       "21": "malay:5 islam:2 chinese:2 batak:1",
       "31": "islam:4 jawa:2 sunda:2 batak:1 chinese:1", "32": "sunda:7 islam:3",
       "33": "jawa:7 islam:3", "34": "jawa:7 islam:3", "35": "jawa:7 islam:3",
       "36": "sunda:6 islam:4", "51": "bali:9 islam:1", "52": "islam:7 malay:2 bali:1",
       "53": "east:8 islam:1 bugis:1", "61": "malay:5 islam:2 chinese:2 jawa:1",
       "62": "malay:4 islam:3 jawa:3", "64": "islam:4 bugis:3 jawa:3",
       "65": "bugis:3 islam:4 malay:3", "71": "east:8 islam:2", "72": "bugis:4 islam:5 east:1",
       "73": "bugis:7 islam:3", "74": "bugis:5 islam:4 jawa:1", "75": "islam:7 malay:3",
       "76": "bugis:7 islam:3", "81": "east:6 islam:4", "82": "islam:6 east:4",
       **dict.fromkeys(("91", "92", "93", "94", "95", "96"), "papua:8 east:1 islam:1")}  # fmt: skip
DEFAULT_MIX = "malay:4 islam:4 jawa:2"  # other Sumatra and Kalimantan provinces
ALL_TOWNS = sorted({t for p in POOLS.values() for t in p["towns"]})
# Hot-path tables: a precomputed list costs one random draw, formatting costs far more.
STREETS = "Merdeka Sudirman Diponegoro Ahmad-Yani Gajah-Mada Pahlawan Kartini Imam-Bonjol "
STREETS += "Veteran Mawar Melati Kenanga Anggrek Flamboyan Cendana Masjid Pasar Hasanuddin"
DUSUN = "Krajan Sukamaju Sukamulya Mekarsari Sidomulyo Karanganyar Tegalsari Sumbersari "
DUSUN += "Banjarsari Margamulya Cibodas Sukajadi Tanjungsari Kebonagung Pasirjaya Lembah-Baru"
ADDRESSES = [f"Jl. {s.replace('-', ' ')} No. {n}" for s in STREETS.split() for n in range(1, 160)]
ADDRESSES += [f"{kind} {d.replace('-', ' ')} RT {rt:03d}/RW {rw:03d}" for kind in ("Dusun", "Kp.")
              for d in DUSUN.split() for rt in range(1, 13) for rw in range(1, 9)]  # fmt: skip
S4 = [f"{i:04d}" for i in range(10_000)]


def _blanks(codes, share=0.2):
    """Category list padded with empty strings so one draw leaves ``share`` blank."""
    return codes + [""] * round(len(codes) * share / (1 - share))


TODDLER_CATS = _blanks(["anak_balita_terlantar"] * 3 + ["anak_dengan_kedisabilitasan"])
CHILD_CATS = _blanks(
    ["anak_terlantar"] * 3 + ["anak_jalanan"] * 2 + ["anak_dengan_kedisabilitasan"]
)
_ADULT = ["fakir_miskin"] * 6 + ["penyandang_disabilitas", "korban_bencana_alam"] * 2
_ADULT += ["gelandangan", "pengemis", "pemulung"]
ADULT_CATS = _blanks(_ADULT)
WOMAN_CATS = _blanks(_ADULT + ["perempuan_rawan_sosial_ekonomi"] * 2)
ELDER_CATS = _blanks(["lanjut_usia_terlantar"] * 5 + ["fakir_miskin", "penyandang_disabilitas"])


def _dates(first=1940, last=2023):
    """Every date as (year, "dd/mm/yyyy", NIK part DDMMYY for men, for women (DD + 40)).

    With the index of each 1 January, a birth date in a year range is one random draw.
    """
    dates, year_at = [], {}
    for y in range(first, last + 2):
        year_at[y] = len(dates)
        for m in range(1, 13):
            for d in range(1, DIM[m] + (m == 2 and y % 4 == 0) + 1):
                yy = f"{m:02d}{y % 100:02d}"
                dates.append((y, f"{d:02d}/{m:02d}/{y}", f"{d:02d}{yy}", f"{d + 40}{yy}"))
    return dates, year_at


DATES, YEAR_AT = _dates()
# Perturbation vocabulary for duplicates: old (pre-1972) spellings and common variants.
WORD_VARIANTS = {"Muhammad": ("Mohamad", "Muhamad", "M.", "Mohammad"), "Mohamad": ("Muhammad",),
                 "M.": ("Muhammad",), "Siti": ("Sity", "Sitti"), "Sitti": ("Siti",),
                 "Ahmad": ("Achmad",), "Nur": ("Noer",)}  # fmt: skip
SUBST = (("dj", "j"), ("j", "dj"), ("oe", "u"), ("u", "oe"), ("y", "j"), ("kh", "ch"),
         ("ch", "kh"), ("sy", "sj"))  # fmt: skip
M_TITLES, F_TITLES = ("H.", "Bpk.", "Drs."), ("Hj.", "Ibu", "Ny.")
SUFFIXES = (", S.Pd.", ", S.E.", ", S.Sos.", ", S.Kom.")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


class _Synth:
    """All state of one run: the seeded RNG, village list and NIK/KK serial counters."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.next_id = self.entities = self.duplicates = 0
        self.nik_serials: dict[str, int] = {}
        self.kk_serials: dict[str, int] = {}
        self.villages = []  # (code, 6-digit NIK prefix, name-pool mix)
        self.by_regency: dict[str, list] = {}
        mixes: dict[str, list] = {}
        with gzip.open(VILLAGES, "rt", encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            for code, _district, _name in reader:
                prov = code[:2]
                if prov not in mixes:  # a weighted list, so one index draw picks a pool
                    pairs = [part.split(":") for part in MIX.get(prov, DEFAULT_MIX).split()]
                    mixes[prov] = [POOLS[n] for n, w in pairs for _ in range(int(w))]
                v = (code, code[:8].replace(".", ""), mixes[prov])
                self.villages.append(v)
                self.by_regency.setdefault(code[:5], []).append(v)
        # Weighted by repetition: typos, spellings, missing NIK and moves are the most common.
        drop_nik, drop_date, drop_mother = (self._dropper(col) for col in (NIK, TGL, IBU))
        self.ops = [self.typo, self.spelling] * 3 + [drop_nik, self.move] * 2 + [
            self.swap_day_month, self.year_only, drop_date, drop_mother, self.add_title, self.upper,
        ]  # fmt: skip

    def name(self, pool, female, surname=None):
        r = self.rng.random
        given = pool["f"] if female else pool["m"]
        kind, x = pool["kind"], r()
        if surname is not None:  # a child of a family-name pool carries the father's name
            g = given[int(r() * len(given))]
            g2 = given[int(x * 4 * len(given))] if x < 0.25 else g
            return f"{g} {surname}" if g2 == g else f"{g} {g2} {surname}"
        if kind in ("plain", "surname"):
            if x < 0.15 and kind == "plain":
                return given[int(x / 0.15 * len(given))]
            pairs = pool["pf"] if female else pool["pm"]
            pair = pairs[int(r() * len(pairs))]
            if x < 0.8:
                return pair
            g = given[int(r() * len(given))]
            return pair if g in pair else f"{g} {pair}"
        g = given[int(r() * len(given))]
        second = pool["sf"] if female else pool["sm"]
        s = second[int(r() * len(second))]
        if kind == "bali":  # second words are birth-order names: I Wayan Sudarma
            if x < 0.6:
                return ("Ni " if female else "I ") + s + " " + g
            g2 = given[int(r() * len(given))]
            return f"{s} {g} {g2}" if x < 0.85 and g2 != g else f"{s} {g}"
        if kind == "bugis" and x < 0.25:
            if x < 0.15:  # noble prefix
                return f"Andi {g} {s}"
            return f"{g} Daeng {DAENG[int(r() * len(DAENG))]}"
        if kind == "minang" and x < 0.04 and not female:
            return ("Sutan " if x < 0.02 else "Datuk ") + g + " " + s
        return g if x < 0.15 or s == g else f"{g} {s}"

    def birth(self, lo, hi):
        start = YEAR_AT[lo]
        return DATES[start + int(self.rng.random() * (YEAR_AT[hi + 1] - start))]

    def nik(self, prefix, ddmmyy):
        # Like the real scheme, a serial per (district, date, sex): unique across entities.
        key = prefix + ddmmyy
        serial = self.nik_serials[key] = self.nik_serials.get(key, 0) + 1
        return key + S4[serial] if serial < 10_000 else ""

    def kk(self, prefix):
        u = self.rng.random()  # one draw: 30% no KK, else the issue date (2005-2023)
        if u < 0.3:
            return ""
        start = YEAR_AT[2005]
        key = prefix + DATES[start + int((u - 0.3) / 0.7 * (YEAR_AT[2024] - start))][2]
        serial = self.kk_serials[key] = self.kk_serials.get(key, 0) + 1
        return key + S4[serial]

    def entity(self, v, pool, female, born, kk, addr, nama, ibu, ayah):
        r = self.rng.random
        y, x = born[0], r()
        if x < 0.03 and y < 2001:
            born = DATES[YEAR_AT[y]]  # the "01/01" placeholder registrars use for unknown days
        tgl = str(y) if 0.03 < x < 0.18 and y < 1960 else "" if x > 0.99 else born[1]
        nik = self.nik(v[1], born[3] if female else born[2]) if r() < 0.8 else ""
        u = r()  # one draw: 93% born in a local town, the rest anywhere
        towns = v[2][0]["towns"]
        town = (
            towns[int(u / 0.93 * len(towns))] if u < 0.93 else ALL_TOWNS[int(r() * len(ALL_TOWNS))]
        )
        age = REF_YEAR - y
        cats = (TODDLER_CATS if age < 5 else CHILD_CATS if age < 18 else ELDER_CATS
                if age >= 60 else WOMAN_CATS if female else ADULT_CATS)  # fmt: skip
        self.next_id += 1
        # A tuple of strings: the cyclic GC stops tracking it, so the reservoir costs no GC time.
        return (str(self.next_id), nama, nik, kk, "P" if female else "L", town, tgl, addr, v[0],
                ibu, ayah, cats[int(r() * len(cats))])  # fmt: skip

    def person(self):
        r, name = self.rng.random, self.name
        v = self.villages[int(r() * len(self.villages))]
        pool = v[2][int(r() * len(v[2]))]
        female = r() < 0.5
        born = self.birth(2005, 2023) if r() < 0.22 else self.birth(1940, 2000)
        ibu = name(pool, True) if r() < 0.8 else ""
        ayah = name(pool, False) if r() < 0.4 else ""
        addr = ADDRESSES[int(r() * len(ADDRESSES))]
        nama = name(pool, female)
        return [self.entity(v, pool, female, born, self.kk(v[1]), addr, nama, ibu, ayah)]

    def household(self):
        """A mother and 1-3 children: same village, address and KK; Nama Ibu links them."""
        r, name = self.rng.random, self.name
        v = self.villages[int(r() * len(self.villages))]
        pool = v[2][int(r() * len(v[2]))]
        kk, addr = self.kk(v[1]), ADDRESSES[int(r() * len(ADDRESSES))]
        fam = pool["sm"][int(r() * len(pool["sm"]))] if pool["kind"] == "surname" else None
        ayah = name(pool, False, fam)
        born = self.birth(1965, 1998)
        ibu, grandpa = name(pool, True) if r() < 0.8 else "", name(pool, False) if r() < 0.5 else ""
        mother = self.entity(v, pool, True, born, kk, addr, name(pool, True), ibu, grandpa)
        rows = [mother]
        for _ in range(1 + int(r() * 3)):
            female = r() < 0.5
            child_born = self.birth(max(2005, born[0] + 18), min(2023, born[0] + 45))
            rows.append(self.entity(v, pool, female, child_born, kk, addr, name(pool, female, fam),
                                    mother[NAMA], ayah if r() < 0.95 else ""))  # fmt: skip
        return rows

    # Duplicate perturbations: each changes rec in place and says whether it applied.
    def typo(self, rec, src):
        r = self.rng.random
        words = rec[NAMA].split(" ")
        cand = [i for i, w in enumerate(words) if len(w) > 2 and w.isalpha()]
        if not cand:
            return False
        i = cand[int(r() * len(cand))]
        w = words[i]
        j = 1 + int(r() * (len(w) - 1))  # first letters are rarely mistyped
        x = r()
        if x < 0.4:
            c = LETTERS[int(r() * 26)]
            c = c if c != w[j].lower() else "e" if c == "a" else "a"
            w = w[:j] + (c.upper() if w[j].isupper() else c) + w[j + 1 :]
        elif x < 0.7 and len(w) > 3:
            w = w[:j] + w[j + 1 :]
        else:
            j = min(j, len(w) - 2)
            w = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if w[j] != w[j + 1] else w[:j] + w[j + 1 :]
        words[i] = w
        rec[NAMA] = " ".join(words)
        return True

    def spelling(self, rec, src):
        words = rec[NAMA].split(" ")
        cands = [(i, alt) for i, w in enumerate(words) for alt in WORD_VARIANTS.get(w, ())]
        for i, w in enumerate(words):
            if len(w) < 3 or not w.isalpha():
                continue
            lw, up = w.lower(), w.isupper()
            for a, b in SUBST:
                k = lw.find(a)
                if k >= 0 and not (a == "j" and lw[k - 1 : k] == "d"):
                    b = b.upper() if up else b.capitalize() if k == 0 else b
                    cands.append((i, w[:k] + b + w[k + len(a) :]))
            if lw[-1] in "iy":  # final i <-> y: Dewi / Dewy, Rizky / Rizki
                e = "y" if lw[-1] == "i" else "i"
                cands.append((i, w[:-1] + (e.upper() if up else e)))
            for k in range(1, len(lw) - 1):  # collapse a double letter or double a single one
                if lw[k] == lw[k + 1]:
                    cands.append((i, w[:k] + w[k + 1 :]))
                    break
                if lw[k] in "lmnrst" and lw[k - 1] in "aeiou" and lw[k + 1] in "aeiou":
                    cands.append((i, w[: k + 1] + w[k:]))
                    break
        if not cands:
            return False
        i, words[i] = cands[int(self.rng.random() * len(cands))]
        rec[NAMA] = " ".join(words)
        return True

    def swap_day_month(self, rec, src):
        t = rec[TGL]
        if len(t) != 10 or t[:2] == t[3:5] or int(t[:2]) > 12:
            return False
        rec[TGL] = f"{t[3:5]}/{t[:2]}{t[5:]}"
        return True

    def year_only(self, rec, src):
        if len(rec[TGL]) != 10:
            return False
        rec[TGL] = rec[TGL][6:]
        return True

    @staticmethod
    def _dropper(col):
        def drop(rec, src):  # the NIK, birth date or mother's name is missing on this record
            had, rec[col] = rec[col], ""
            return bool(had)

        return drop

    def move(self, rec, src):
        r = self.rng.random
        near = self.by_regency[rec[KODE][:5]] if r() < 0.6 else self.villages
        v = near[int(r() * len(near))]
        if v[0] == rec[KODE]:  # single-village regency, or drew the same one: go anywhere
            v = self.villages[(self.villages.index(v) + 1) % len(self.villages)]
        rec[KODE], rec[ALAMAT] = v[0], ADDRESSES[int(r() * len(ADDRESSES))]
        return True

    def add_title(self, rec, src):
        t, r = src[TGL], self.rng.random
        if len(t) < 4 or REF_YEAR - int(t[-4:]) < 22 or "." in rec[NAMA]:
            return False
        if r() < 0.3:
            rec[NAMA] += SUFFIXES[int(r() * len(SUFFIXES))]
        else:
            titles = F_TITLES if rec[JK] == "P" else M_TITLES
            rec[NAMA] = f"{titles[int(r() * 3)]} {rec[NAMA]}"
        return True

    def upper(self, rec, src):
        if rec[NAMA].isupper():
            return False
        rec[NAMA] = rec[NAMA].upper()
        return True

    def duplicate(self, src):
        r, ops = self.rng.random, self.ops
        rec = list(src)
        want = 1 + (r() < 0.4) + (r() < 0.1)
        done: list = []
        for _ in range(12):
            op = ops[int(r() * len(ops))]
            if op not in done and op(rec, src):
                done.append(op)
                if len(done) == want:
                    break
        if not done:
            self.move(rec, src)  # always applies, so no duplicate is an exact copy
        return tuple(rec)

    def rows(self, n: int, duplicate_rate: float) -> Iterator[tuple]:
        if not 0 <= duplicate_rate < 1:
            raise ValueError("duplicate_rate must be in [0, 1)")
        r = self.rng.random
        pending: list = []
        reservoir: list = []
        for _ in range(n):
            if reservoir and r() < duplicate_rate:
                self.duplicates += 1
                yield self.duplicate(reservoir[int(r() * len(reservoir))])
                continue
            if not pending:
                pending = self.household() if r() < HOUSEHOLD_SHARE else self.person()
                pending.reverse()  # pop() from the end emits the mother first
            rec = pending.pop()
            self.entities += 1
            # Bounded reservoir: duplicates refer back to recent and older entities alike.
            if len(reservoir) < RESERVOIR:
                reservoir.append(rec)
            else:
                reservoir[int(r() * RESERVOIR)] = rec
            yield rec


def generate(rows: int, seed: int = 42, duplicate_rate: float = 0.1) -> Iterator[dict]:
    """Yield ``rows`` records as dicts keyed by HEADER (all values are strings)."""
    for rec in _Synth(seed).rows(rows, duplicate_rate):
        yield dict(zip(HEADER, rec, strict=True))


def write_csv(path, rows: int, seed: int = 42, duplicate_rate: float = 0.1, *, stats=None) -> int:
    """Write the CSV and return the row count; fills the ``stats`` dict if one is given."""
    synth, written, gc_was_on = _Synth(seed), 0, gc.isenabled()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Nothing here creates reference cycles; the cyclic collector would only rescan the
    # growing heap (about a tenth of the run time at a million rows).
    gc.disable()
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer, records = csv.writer(out), synth.rows(rows, duplicate_rate)
            writer.writerow(HEADER)
            while chunk := list(islice(records, 20_000)):
                writer.writerows(chunk)
                written += len(chunk)
    finally:
        if gc_was_on:
            gc.enable()
    if stats is not None:
        stats.update(rows=written, entities=synth.entities, duplicates=synth.duplicates)
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", required=True, help="CSV path (parent folders are created)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duplicate-rate", type=float, default=0.1)
    args = parser.parse_args(argv)
    if not 0 <= args.duplicate_rate < 1:
        parser.error("--duplicate-rate must be at least 0 and below 1")
    started = time.perf_counter()
    stats: dict = {}
    write_csv(args.out, args.rows, args.seed, args.duplicate_rate, stats=stats)
    print(
        f"synth: {stats['rows']} rows, {stats['entities']} entities, "
        f"{stats['duplicates']} duplicate rows, {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
