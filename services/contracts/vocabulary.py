"""Controlled vocabularies shared by every service and by the public API.

Codes are stable identifiers; labels are for people. Issue #3 replaces the
sector list with the full ko/zh/en taxonomy mapped to ISIC Rev. 4; the codes
here are the ones the demo data and the spine need.
"""

SECTORS = {
    # code: (en, ko, zh)
    "biopharmaceuticals": ("Biopharmaceuticals", "바이오의약", "生物医药"),
    "medical_devices": ("Medical devices", "의료기기", "医疗器械"),
    "health_care": ("Health care", "헬스케어", "健康医疗"),
    "advanced_manufacturing": ("Advanced manufacturing", "첨단제조", "先进制造"),
    "food_processing": ("Food processing", "식품가공", "食品加工"),
    "cosmetics": ("Cosmetics and beauty", "화장품·뷰티", "化妆品"),
    "new_materials": ("New materials", "신소재", "新材料"),
    "semiconductors": ("Semiconductors and equipment", "반도체·장비", "半导体及设备"),
    "cloud": ("Cloud computing", "클라우드", "云计算"),
    "artificial_intelligence": ("Artificial intelligence", "인공지능", "人工智能"),
    "consumer_electronics": ("Consumer electronics", "가전·스마트기기", "消费电子"),
    "agriculture_seed": ("Agriculture and seed R&D", "농업·종자", "农业种业"),
    "renewable_energy": ("Renewable energy", "신재생에너지", "可再生能源"),
    "education": ("Education and training", "교육·훈련", "教育培训"),
    "startup_services": ("Start-up services and acceleration", "창업지원·액셀러레이팅", "创业服务"),
    "technology_transfer": ("Technology transfer and commercialisation", "기술이전·사업화", "技术转移"),
}

CERTIFICATIONS = {
    "kr_venture": "Korean venture business certification (벤처기업확인)",
    "kr_innobiz": "INNOBIZ (기술혁신형 중소기업)",
    "kr_mainbiz": "MAINBIZ (경영혁신형 중소기업)",
    "cn_high_tech_enterprise": "Chinese high-tech enterprise (高新技术企业)",
    "iso_9001": "ISO 9001",
    "iso_13485": "ISO 13485 (medical devices)",
    "gmp": "Good Manufacturing Practice",
}

FACILITIES = (
    "office", "lab", "clean_room", "cold_storage", "machining", "dormitory",
    "canteen", "incubator", "accelerator", "rnd_centre", "warehouse",
)

INCENTIVES = ("free_rent", "tax_benefits", "subsidies", "talent_support", "one_stop_registration")

# Screening criteria a demand may set; each is hard (required) or a preference.
CRITERION_KINDS = (
    "min_patents",                      # value: int
    "min_years_since_founding",         # value: number of years
    "funding_or_market_validation",     # value: true
    "certification_any_of",             # value: list of certification codes
)

PARTNER_KINDS = (
    "cooperation_centre", "accelerator_association", "industrial_complex_body",
    "government_office", "other",
)

AGREEMENT_KINDS = ("mou", "tenancy", "investment", "cooperation")

PARTY_KINDS = ("company", "park", "partner")

ALERT_EVENT_KINDS = ("match.found", "match.updated", "match.withdrawn", "agreement.signed")
