"""Generate the sample plan file of the PLADECO 2020–2025 of Putre.

    python data/generate_putre_plan.py [OUTPUT]     # default: data/putre-pladeco-2020-2025.yaml

``build_putre_plan(scale)`` returns the plan document (Spanish keys, JSON types). ``scale=1`` is the
realistic sample; ``scale=n`` repeats every initiative n times (copies coded ``INI-012-X2`` …, with
their predecessors, milestones and indicators renamed alike) for benchmarks.

Deterministic: no randomness, no clock. Geography follows the design notes' working assumption:
Putre Alto = altiplano (Parinacota, Chucuyo, Caquena, Guallatire), Putre Medio = Putre, Socoroma,
Zapahuira, Putre Bajo = southern valleys (Chapiquiña, Belén, Tignámar); edit ``LOCALITIES`` and the
territory rings together to change it. Every person and e-mail address is fictional.
"""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "data" / "putre-pladeco-2020-2025.yaml"
MAIL_DOMAIN = "muniputre.example"

HEADER_COMMENT = """\
# PLADECO de Putre 2020–2025: plan de muestra (datos ficticios de personas; geografía aproximada).
# Archivo generado por data/generate_putre_plan.py; los planificadores pueden editarlo a mano.
# Al regenerarlo con el script se pierden las ediciones manuales.
"""

# ---------------------------------------------------------------------------------------------
# People (all fictional)
# ---------------------------------------------------------------------------------------------


def _email(name: str) -> str:
    """First given name + first surname, ASCII: 'Ana María Condori Lazo' → ana.condori@…"""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    parts = ascii_name.split()
    given, surname = parts[0], parts[-2]
    return f"{given}.{surname}@{MAIL_DOMAIN}"


def _person(name: str, role: str) -> dict:
    return {"nombre": name, "email": _email(name), "cargo": role}


# code, name, head (name, role), officers [(name, role), …]
DEPARTMENTS: list[tuple[str, str, tuple[str, str], list[tuple[str, str]]]] = [
    (
        "ALCALDIA",
        "Alcaldía",
        ("Marcela Quispe Rojas", "Administradora municipal"),
        [
            ("Jorge Ticona Flores", "Encargado de control de gestión"),
            ("Camila Vargas Huanca", "Encargada de comunicaciones y transparencia"),
        ],
    ),
    (
        "SECPLAN",
        "Secretaría Comunal de Planificación",
        ("Rodrigo Mamani Cáceres", "Secretario comunal de planificación"),
        [
            ("Daniela Choque Araya", "Profesional formuladora de proyectos"),
            ("Felipe Contreras Vilca", "Arquitecto SECPLAN"),
            ("Paula Gutiérrez Condori", "Profesional de estudios y licitaciones"),
        ],
    ),
    (
        "DIDECO",
        "Dirección de Desarrollo Comunitario",
        ("Ximena Flores Chambe", "Directora de desarrollo comunitario"),
        [
            ("Luis Cutipa Morales", "Encargado de organizaciones comunitarias"),
            ("Andrea Huanca Soto", "Encargada del programa adulto mayor"),
            ("Ignacio Rojas Mamani", "Encargado de la oficina de vivienda"),
        ],
    ),
    (
        "DOM",
        "Dirección de Obras Municipales",
        ("Cristián Blanco Quispe", "Director de obras municipales"),
        [
            ("Manuel Vilca Torres", "Inspector técnico de obras"),
            ("Valentina Castro Ticona", "Ingeniera constructora, inspectora técnica"),
            ("Sergio Apaza Fuentes", "Encargado de maquinaria y caminos vecinales"),
        ],
    ),
    (
        "DAF",
        "Dirección de Administración y Finanzas",
        ("Patricia Morales Gómez", "Directora de administración y finanzas"),
        [
            ("Tomás Choque Rivera", "Encargado de contabilidad y presupuesto"),
            ("Lorena Mollo Salinas", "Encargada de recursos humanos"),
        ],
    ),
    (
        "DAEM",
        "Departamento de Administración de Educación Municipal",
        ("Ana María Condori Lazo", "Jefa DAEM"),
        [
            ("Pablo Zegarra Mamani", "Coordinador técnico pedagógico"),
            ("Carla Alave Muñoz", "Encargada de educación intercultural bilingüe"),
            ("Diego Poma Espinoza", "Encargado de infraestructura escolar"),
        ],
    ),
    (
        "SALUD",
        "Departamento de Salud Municipal",
        ("Francisca Tapia Huarachi", "Directora de salud municipal"),
        [
            ("Matías Gómez Calle", "Encargado de rondas médicas rurales"),
            ("Sofía Mamani Cortés", "Enfermera coordinadora de atención primaria"),
            ("Javier Salazar Yucra", "Encargado de proyectos de salud"),
        ],
    ),
    (
        "TURISMO",
        "Turismo y Fomento Productivo",
        ("Gonzalo Villca Ramos", "Encargado de turismo y fomento productivo"),
        [
            ("Natalia Challapa Díaz", "Encargada de la oficina de turismo"),
            ("Rubén Colque Maldonado", "Médico veterinario, programa de camélidos"),
            ("Elena Marca Figueroa", "Ingeniera agrónoma de fomento productivo"),
        ],
    ),
    (
        "MEDIOAMBIENTE",
        "Departamento de Medio Ambiente, Aseo y Ornato",
        ("Claudia Ayala Chambe", "Encargada de medio ambiente"),
        [
            ("Esteban Huanca Pizarro", "Encargado de residuos sólidos"),
            ("Macarena Ibáñez Quispe", "Bióloga, gestión de áreas protegidas"),
        ],
    ),
    (
        "GESTION-RIESGO",
        "Gestión del Riesgo de Desastres y Emergencias",
        ("Raúl Cañipa Olivares", "Director de gestión del riesgo y emergencias"),
        [
            ("Camilo Ticona Bravo", "Encargado comunal de emergencias"),
            ("Fernanda Vera Choque", "Profesional de gestión del riesgo"),
        ],
    ),
]

MANAGEMENT_UNIT = _person("Verónica Alanoca Pérez", "Coordinadora de la Unidad Ejecutora Comunal (SECPLAN)")

# ---------------------------------------------------------------------------------------------
# Geography: (lon, lat) rings, GeoJSON order
# ---------------------------------------------------------------------------------------------

COMMUNE_BOUNDARY = [
    (-69.80, -17.80),
    (-69.35, -17.75),
    (-69.05, -17.85),
    (-68.95, -18.20),
    (-68.98, -18.60),
    (-69.10, -19.00),
    (-69.55, -18.98),
    (-69.85, -18.70),
    (-69.95, -18.30),
    (-69.80, -17.80),
]

# Shared vertices of the three territories: the altiplano divide (north to south) and the
# Putre Medio / Putre Bajo divide (east to west, between Zapahuira and Chapiquiña).
_N, _A, _M, _B, _S = (-69.42, -17.82), (-69.40, -18.08), (-69.43, -18.355), (-69.38, -18.66), (-69.42, -18.92)
_D, _W = (-69.65, -18.345), (-69.88, -18.36)

TERRITORIES = [
    ("PUTRE-BAJO", "Putre Bajo (valles de precordillera)",
     [_M, _B, _S, (-69.55, -18.94), (-69.82, -18.68), _W, _D, _M]),
    ("PUTRE-MEDIO", "Putre Medio (Putre y quebradas)", [_N, _A, _M, _D, _W, (-69.90, -18.20), (-69.75, -17.83), _N]),
    (
        "PUTRE-ALTO",
        "Putre Alto (altiplano)",
        [_N, (-69.10, -17.88), (-69.00, -18.20), (-69.03, -18.60), (-69.15, -18.92), _S, _B, _M, _A, _N],
    ),
]

# code, name, territory, lat, lon
LOCALITIES = [
    ("PUTRE", "Putre", "PUTRE-MEDIO", -18.197, -69.559),
    ("SOCOROMA", "Socoroma", "PUTRE-MEDIO", -18.266, -69.599),
    ("ZAPAHUIRA", "Zapahuira", "PUTRE-MEDIO", -18.325, -69.583),
    ("CHAPIQUINA", "Chapiquiña", "PUTRE-BAJO", -18.380, -69.555),
    ("BELEN", "Belén", "PUTRE-BAJO", -18.466, -69.520),
    ("TIGNAMAR", "Tignámar", "PUTRE-BAJO", -18.583, -69.495),
    ("PARINACOTA", "Parinacota", "PUTRE-ALTO", -18.202, -69.269),
    ("CHUCUYO", "Chucuyo", "PUTRE-ALTO", -18.217, -69.302),
    ("CAQUENA", "Caquena", "PUTRE-ALTO", -18.055, -69.205),
    ("GUALLATIRE", "Guallatire", "PUTRE-ALTO", -18.497, -69.156),
]
TERRITORY_OF = {code: territory for code, _, territory, _, _ in LOCALITIES}

FUNDING_SOURCES = [
    ("MUNICIPAL", "Presupuesto municipal", "municipal"),
    ("FNDR", "Fondo Nacional de Desarrollo Regional (GORE Arica y Parinacota)", "regional"),
    ("FRIL", "Fondo Regional de Iniciativa Local", "regional"),
    ("SUBDERE-PMU", "SUBDERE – Programa Mejoramiento Urbano y Equipamiento Comunal", "sectorial"),
    ("SUBDERE-PMB", "SUBDERE – Programa Mejoramiento de Barrios", "sectorial"),
    ("MINVU", "Ministerio de Vivienda y Urbanismo", "sectorial"),
    ("MOP", "Ministerio de Obras Públicas (Vialidad, DOH)", "sectorial"),
    ("MINSAL", "Ministerio de Salud", "sectorial"),
    ("MINEDUC", "Ministerio de Educación", "sectorial"),
    ("PRIVADO", "Aportes privados (fundaciones, cooperativas, empresas)", "privado"),
]

# ---------------------------------------------------------------------------------------------
# Strategy: axes → objectives (with the territories they target) → programmes
# ---------------------------------------------------------------------------------------------

ALL_T = ["PUTRE-BAJO", "PUTRE-MEDIO", "PUTRE-ALTO"]

AXES = [
    (
        "EJE-1",
        "Desarrollo social y comunitario",
        "Salud, educación e inclusión de los grupos prioritarios en todas las localidades de la comuna.",
    ),
    (
        "EJE-2",
        "Identidad aymara, cultura y patrimonio",
        "Revitalización de la lengua y las tradiciones aymara y puesta en valor del patrimonio andino.",
    ),
    (
        "EJE-3",
        "Desarrollo económico local: turismo, ganadería camélida y agricultura",
        "Turismo sustentable en torno al Parque Nacional Lauca, ganadería de llamas y alpacas y "
        "agricultura de terrazas de los valles.",
    ),
    (
        "EJE-4",
        "Infraestructura, conectividad y servicios básicos",
        "Agua potable, saneamiento, caminos, telecomunicaciones, energía, vivienda y equipamiento.",
    ),
    (
        "EJE-5",
        "Medio ambiente, áreas protegidas y gestión del riesgo",
        "Conservación de los ecosistemas altoandinos, residuos sólidos y reducción del riesgo volcánico, "
        "sísmico y de lluvias altiplánicas.",
    ),
    (
        "EJE-6",
        "Gestión municipal y participación ciudadana",
        "Modernización municipal, instrumentos de planificación, participación y control ciudadano del plan.",
    ),
]

# code, axis, name, territories, [(programme code, programme name), …]
OBJECTIVES = [
    ("OE-1.1", "EJE-1", "Mejorar el acceso y la calidad de la atención primaria de salud en todas las localidades",
     ALL_T,
     [("PRG-1.1.1", "Programa de infraestructura y equipamiento de salud rural"),
      ("PRG-1.1.2", "Programa de salud itinerante y promoción de la salud")]),
    ("OE-1.2", "EJE-1", "Fortalecer la educación pública rural e intercultural", ALL_T,
     [("PRG-1.2.1", "Programa de mejoramiento de establecimientos educacionales"),
      ("PRG-1.2.2", "Programa de apoyo a la trayectoria educativa")]),
    ("OE-1.3", "EJE-1", "Promover la inclusión y el bienestar de personas mayores, mujeres, jóvenes y personas con "
     "discapacidad", ["PUTRE-MEDIO", "PUTRE-BAJO"],
     [("PRG-1.3.1", "Programa de atención a personas mayores"),
      ("PRG-1.3.2", "Programa de inclusión, género y juventud")]),
    ("OE-2.1", "EJE-2", "Revitalizar la lengua, las tradiciones y la organización de las comunidades aymara", ALL_T,
     [("PRG-2.1.1", "Programa de revitalización de la lengua aymara"),
      ("PRG-2.1.2", "Programa de fiestas patronales y expresiones culturales andinas")]),
    ("OE-2.2", "EJE-2", "Proteger y poner en valor el patrimonio arquitectónico y arqueológico", ALL_T,
     [("PRG-2.2.1", "Programa de restauración de iglesias andinas"),
      ("PRG-2.2.2", "Programa de infraestructura cultural y patrimonio arqueológico")]),
    ("OE-3.1", "EJE-3", "Consolidar a Putre como destino de turismo sustentable de intereses especiales",
     ["PUTRE-MEDIO", "PUTRE-ALTO", "PUTRE-BAJO"],
     [("PRG-3.1.1", "Programa de infraestructura y servicios turísticos"),
      ("PRG-3.1.2", "Programa de planificación, promoción y capacitación turística")]),
    ("OE-3.2", "EJE-3", "Aumentar la productividad y el valor agregado de la ganadería camélida", ["PUTRE-ALTO"],
     [("PRG-3.2.1", "Programa de desarrollo ganadero camélido"),
      ("PRG-3.2.2", "Programa de comercialización de fibra y carne de camélidos")]),
    ("OE-3.3", "EJE-3", "Recuperar y modernizar la agricultura de terrazas de los valles",
     ["PUTRE-MEDIO", "PUTRE-BAJO"],
     [("PRG-3.3.1", "Programa de riego y terrazas agrícolas"),
      ("PRG-3.3.2", "Programa de fomento productivo y emprendimiento")]),
    ("OE-4.1", "EJE-4", "Asegurar el acceso a agua potable y saneamiento en todas las localidades", ALL_T,
     [("PRG-4.1.1", "Programa de agua potable rural"),
      ("PRG-4.1.2", "Programa de saneamiento sanitario")]),
    ("OE-4.2", "EJE-4", "Mejorar la conectividad vial y digital de las localidades", ALL_T,
     [("PRG-4.2.1", "Programa de caminos rurales"),
      ("PRG-4.2.2", "Programa de conectividad digital")]),
    ("OE-4.3", "EJE-4", "Dotar de energía, vivienda y equipamiento comunitario a las localidades", ALL_T,
     [("PRG-4.3.1", "Programa de energías renovables y alumbrado"),
      ("PRG-4.3.2", "Programa de vivienda, espacios públicos y equipamiento comunitario")]),
    ("OE-5.1", "EJE-5", "Conservar los ecosistemas altoandinos y las áreas protegidas", ["PUTRE-ALTO"],
     [("PRG-5.1.1", "Programa de conservación de bofedales y áreas protegidas")]),
    ("OE-5.2", "EJE-5", "Gestionar integralmente los residuos sólidos domiciliarios", ALL_T,
     [("PRG-5.2.1", "Programa comunal de residuos sólidos")]),
    ("OE-5.3", "EJE-5", "Reducir el riesgo de desastres volcánicos, sísmicos y por lluvias altiplánicas", ALL_T,
     [("PRG-5.3.1", "Programa de gestión del riesgo de desastres"),
      ("PRG-5.3.2", "Programa de preparación comunitaria ante emergencias")]),
    ("OE-6.1", "EJE-6", "Modernizar la gestión municipal y la planificación territorial", ["PUTRE-MEDIO"],
     [("PRG-6.1.1", "Programa de modernización de la gestión municipal"),
      ("PRG-6.1.2", "Programa de instrumentos de planificación territorial")]),
    ("OE-6.2", "EJE-6", "Fortalecer la participación ciudadana y el control ciudadano del PLADECO", ALL_T,
     [("PRG-6.2.1", "Programa de participación ciudadana y cuenta pública")]),
]

# ---------------------------------------------------------------------------------------------
# Diagnosis: prioritised problems, listed by territory in priority order (1 = most urgent)
# ---------------------------------------------------------------------------------------------

# territory, locality (or None), theme, description, severity
PROBLEMS = [
    ("PUTRE-ALTO", "GUALLATIRE", "riesgo volcánico",
     "Guallatire y sus estancias están expuestos a la actividad del volcán Guallatiri sin plan de evacuación "
     "ni sistema de alerta.", 5),
    ("PUTRE-ALTO", "CAQUENA", "energía",
     "Caquena no tiene suministro eléctrico continuo; las familias dependen de generadores y velas.", 5),
    ("PUTRE-ALTO", "CAQUENA", "conectividad vial",
     "El camino de acceso a Caquena es de tierra y queda intransitable durante el invierno altiplánico.", 4),
    ("PUTRE-ALTO", "GUALLATIRE", "agua potable",
     "Guallatire y Caquena se abastecen de vertientes sin tratamiento, con arsénico y boro sobre la norma.", 4),
    ("PUTRE-ALTO", "CHUCUYO", "ganadería",
     "Baja productividad ganadera: alta mortalidad de crías, consanguinidad de los rebaños de alpacas y llamas "
     "y bajo precio de la fibra vendida a intermediarios.", 4),
    ("PUTRE-ALTO", "PARINACOTA", "medio ambiente",
     "Degradación de bofedales por sequía y sobrepastoreo, que reduce el forraje del ganado.", 4),
    ("PUTRE-ALTO", None, "salud",
     "La atención de salud en el altiplano se limita a rondas médicas mensuales; grandes distancias a Putre "
     "y Arica.", 4),
    ("PUTRE-ALTO", "PARINACOTA", "cultura y patrimonio",
     "Deterioro estructural de la iglesia de Parinacota y de sus pinturas murales del siglo XVIII.", 3),
    ("PUTRE-ALTO", "CHUCUYO", "residuos",
     "Microbasurales en la ruta 11 y en torno a los poblados por falta de recolección regular.", 3),
    ("PUTRE-ALTO", None, "telecomunicaciones",
     "Sin cobertura de telefonía móvil ni internet en gran parte del altiplano.", 3),
    ("PUTRE-MEDIO", "SOCOROMA", "agua potable",
     "El sistema de agua potable rural de Socoroma pierde más del 40 % del agua y sufre cortes en verano.", 5),
    ("PUTRE-MEDIO", "PUTRE", "residuos",
     "El basural de Putre no tiene autorización sanitaria; hay quema de residuos y riesgo de incendio.", 5),
    ("PUTRE-MEDIO", "ZAPAHUIRA", "conectividad vial",
     "Derrumbes y cortes de la ruta 11 y de los caminos de precordillera durante las lluvias de verano.", 4),
    ("PUTRE-MEDIO", "PUTRE", "educación",
     "La escuela e internado de Putre tienen infraestructura deteriorada y sin normalización sísmica.", 4),
    ("PUTRE-MEDIO", "PUTRE", "salud",
     "El establecimiento de salud de Putre tiene recintos insuficientes y no cuenta con ambulancia 4x4.", 4),
    ("PUTRE-MEDIO", "SOCOROMA", "agricultura",
     "Abandono de terrazas agrícolas y canales en Socoroma por la migración de la población joven.", 3),
    ("PUTRE-MEDIO", "PUTRE", "turismo",
     "Oferta turística poco articulada, sin oficina de información ni señalética; baja pernoctación.", 3),
    ("PUTRE-MEDIO", "PUTRE", "personas mayores",
     "Población envejecida; personas mayores que viven solas y sin espacios de atención diurna.", 3),
    ("PUTRE-MEDIO", "PUTRE", "planificación territorial",
     "Plan regulador comunal desactualizado, que no reconoce el crecimiento de Putre ni las zonas de riesgo.", 2),
    ("PUTRE-BAJO", "BELEN", "salud",
     "La posta de salud rural de Belén está en mal estado y no permite atención permanente.", 5),
    ("PUTRE-BAJO", "BELEN", "saneamiento",
     "Belén y Chapiquiña no tienen alcantarillado; los pozos negros contaminan los cursos de agua.", 4),
    ("PUTRE-BAJO", "TIGNAMAR", "conectividad vial",
     "El camino Belén–Tignámar se corta cada temporada de lluvias y aísla a Tignámar.", 4),
    ("PUTRE-BAJO", "TIGNAMAR", "agua para riego",
     "Escasez de agua de riego y canales sin revestir en el valle de Tignámar.", 4),
    ("PUTRE-BAJO", "BELEN", "cultura y patrimonio",
     "Las iglesias coloniales de Belén presentan daños estructurales después de los últimos sismos.", 3),
    ("PUTRE-BAJO", "CHAPIQUINA", "vivienda",
     "Viviendas de adobe con daños por sismos y sin aislación térmica.", 3),
    ("PUTRE-BAJO", "CHAPIQUINA", "educación",
     "Los escolares de los valles recorren largas distancias sin transporte regular.", 3),
    ("PUTRE-BAJO", "TIGNAMAR", "cultura",
     "Pérdida del uso de la lengua aymara entre las generaciones jóvenes.", 3),
    ("PUTRE-BAJO", None, "empleo y fomento productivo",
     "Migración de jóvenes a Arica por falta de oportunidades de empleo y emprendimiento.", 3),
]

# ---------------------------------------------------------------------------------------------
# Initiatives
# ---------------------------------------------------------------------------------------------

NN, JOV, PM, MUJ, AYM = "niños y niñas", "jóvenes", "personas mayores", "mujeres", "comunidades aymara"
GAN, AGR, TUR, POB, DIS = "ganaderos", "agricultores", "turistas", "población general", "personas con discapacidad"

P, G, E, A = "proyecto", "programa", "estudio", "accion"
CATEGORY = {"AT": "alerta_temprana", "MD": "meta_departamento", "MP": "meta_programa"}
DIMENSION = {"EFI": "eficacia", "EFC": "eficiencia", "EFE": "efectividad", "COB": "cobertura", "CAL": "calidad"}
THRESHOLDS = {"AT": (95, 80), "MD": (90, 70), "MP": (85, 60)}


def I(key, name, kind, prog, dept, loc, budget_m, funding, start, end, benef, groups, ind=None, **extra):  # noqa: E741
    """One initiative, compactly: budget in millions of CLP; funding like "FNDR 70, MUNICIPAL" (the
    last source takes the remainder); ind = (name, category, dimension, unit, baseline, target,
    periodicity) is its own result indicator."""
    return dict(key=key, name=name, kind=kind, prog=prog, dept=dept, loc=loc, budget_m=budget_m, funding=funding,
                start=start, end=end, benef=benef, groups=groups, ind=ind, **extra)


INITIATIVES = [
    # --- EJE-1 salud -------------------------------------------------------------------------
    I("posta-belen", "Reposición Posta de Salud Rural Belén", P, "PRG-1.1.1", "SALUD", "BELEN", 1350,
      "MINSAL 70, FNDR", "2022-03-01", "2024-08-30", 420, [POB, PM, AYM],
      ("Atenciones anuales realizadas en la posta de Belén", "MP", "COB", "atenciones", 1200, 2400, "anual"),
      preds=["posta-belen-diseno"]),
    I("posta-belen-diseno", "Diseño reposición Posta de Salud Rural Belén", E, "PRG-1.1.1", "SECPLAN", "BELEN", 58,
      "FNDR", "2020-06-01", "2021-09-30", 420, [POB]),
    I("cesfam-putre", "Mejoramiento y ampliación Centro de Salud Familiar de Putre", P, "PRG-1.1.1", "SALUD", "PUTRE",
      2450, "MINSAL 80, FNDR", "2022-07-01", "2025-06-30", 2000, [POB, PM, NN],
      ("Tiempo de espera para consulta de morbilidad", "MP", "CAL", "días", 12, 5, "trimestral")),
    I("emr-guallatire", "Equipamiento Estación Médico Rural Guallatire", P, "PRG-1.1.1", "SALUD", "GUALLATIRE", 85,
      "MINSAL", "2023-03-01", "2023-12-29", 90, [PM, GAN, AYM],
      ("Rondas médicas anuales atendidas con equipamiento operativo", "MP", "EFI", "rondas", 6, 12, "semestral"),
      hitos=[("Orden de compra del equipamiento emitida", 0.2), ("Equipamiento instalado y recibido conforme", 0.75)]),
    I("rondas-altiplano", "Programa de rondas médicas rurales al altiplano", G, "PRG-1.1.2", "SALUD", "PARINACOTA",
      180, "MINSAL 85, MUNICIPAL", "2020-03-02", "2023-12-29", 380, [PM, AYM, GAN],
      ("Cobertura de controles de salud en localidades del altiplano", "MP", "COB", "%", 55, 85, "semestral")),
    I("salud-mental", "Programa de salud mental comunitaria y prevención del consumo de alcohol", G, "PRG-1.1.2",
      "SALUD", "PUTRE", 96, "MINSAL", "2021-04-01", "2024-03-29", 150, [JOV, MUJ, POB],
      ("Personas atendidas en el programa de salud mental", "MP", "COB", "personas", 40, 150, "trimestral")),
    I("ambulancia", "Adquisición ambulancia 4x4 para traslados de urgencia", P, "PRG-1.1.1", "SALUD", "PUTRE", 135,
      "FNDR", "2021-02-01", "2021-10-29", 2800, [POB],
      ("Tiempo de respuesta de traslados de urgencia", "MD", "CAL", "minutos", 95, 50, "mensual"),
      hitos=[("Licitación de la ambulancia adjudicada", 0.25), ("Ambulancia recibida e inscrita", 0.8)]),
    # --- EJE-1 educación ---------------------------------------------------------------------
    I("escuela-putre", "Normalización Escuela Básica e internado de Putre", P, "PRG-1.2.1", "DAEM", "PUTRE", 3800,
      "MINEDUC 60, FNDR", "2022-09-01", "2025-10-31", 180, [NN, JOV, AYM],
      ("Estudiantes atendidos en infraestructura normalizada", "MP", "COB", "estudiantes", 0, 180, "anual"),
      preds=["escuela-putre-diseno"], curve="mensual"),
    I("escuela-putre-diseno", "Diseño normalización Escuela Básica e internado de Putre", E, "PRG-1.2.1", "SECPLAN",
      "PUTRE", 72, "MINEDUC", "2020-09-01", "2021-12-30", 180, [NN]),
    I("escuela-socoroma", "Conservación escuela rural de Socoroma", P, "PRG-1.2.1", "DAEM", "SOCOROMA", 95,
      "SUBDERE-PMU", "2021-10-01", "2022-03-31", 24, [NN],
      ("Salas con confort térmico adecuado", "MP", "CAL", "salas", 0, 4, "semestral")),
    I("lengua-aymara-escuelas", "Programa de fortalecimiento de la lengua aymara en escuelas", G, "PRG-2.1.1", "DAEM",
      "PUTRE", 145, "MINEDUC 80, MUNICIPAL", "2021-03-01", "2024-12-20", 260, [NN, JOV, AYM],
      ("Estudiantes con nivel básico de lengua aymara acreditado", "MP", "EFE", "%", 10, 60, "anual")),
    I("transporte-escolar", "Programa de transporte escolar rural de los valles", G, "PRG-1.2.2", "DAEM", "CHAPIQUINA",
      210, "MINEDUC 70, MUNICIPAL", "2020-03-02", "2023-12-22", 85, [NN, JOV],
      ("Asistencia escolar de estudiantes de localidades rurales", "MP", "EFE", "%", 82, 92, "semestral")),
    I("becas-arica", "Programa de becas y residencia estudiantil en Arica", G, "PRG-1.2.2", "DIDECO", "PUTRE", 240,
      "MUNICIPAL", "2021-03-01", "2025-02-28", 60, [JOV],
      ("Becarios de enseñanza media y superior que aprueban el año", "MP", "EFE", "%", 78, 95, "anual")),
    I("internet-escuelas", "Conectividad a internet en escuelas rurales de Tignámar y Belén", P, "PRG-1.2.1", "DAEM",
      "TIGNAMAR", 48, "MINEDUC", "2022-03-01", "2022-11-30", 40, [NN],
      ("Escuelas rurales con internet de al menos 20 Mbps", "MP", "COB", "escuelas", 0, 2, "trimestral"),
      hitos=[("Contrato con proveedor firmado", 0.2), ("Enlaces instalados y operativos", 0.8)]),
    # --- EJE-1 inclusión ---------------------------------------------------------------------
    I("adulto-mayor", "Programa adulto mayor", G, "PRG-1.3.1", "DIDECO", "PUTRE", 160, "MUNICIPAL 55, FNDR",
      "2021-01-04", "2024-12-20", 260, [PM],
      ("Personas mayores en talleres y atención domiciliaria", "MP", "COB", "personas", 120, 260, "semestral")),
    I("centro-diurno", "Habilitación centro diurno del adulto mayor de Putre", P, "PRG-1.3.1", "DIDECO", "PUTRE", 140,
      "FRIL", "2022-10-03", "2023-09-29", 45, [PM, DIS],
      ("Personas mayores atendidas en el centro diurno", "MP", "COB", "personas", 0, 45, "trimestral")),
    I("mujeres-emprendedoras", "Programa de apoyo a mujeres emprendedoras y jefas de hogar", G, "PRG-1.3.2", "DIDECO",
      "SOCOROMA", 75, "FNDR 60, MUNICIPAL", "2021-05-03", "2023-04-28", 80, [MUJ, AYM],
      ("Mujeres que formalizan su emprendimiento", "MP", "EFE", "mujeres", 5, 30, "semestral")),
    I("discapacidad", "Programa comunal de inclusión de personas con discapacidad", G, "PRG-1.3.2", "DIDECO", "PUTRE",
      42, "MUNICIPAL", "2022-03-01", "2024-02-29", 90, [DIS],
      ("Personas con discapacidad con credencial y plan de apoyo", "MP", "COB", "personas", 35, 90, "semestral")),
    I("deporte-jovenes", "Programa de deporte y recreación para niños, niñas y jóvenes", G, "PRG-1.3.2", "DIDECO",
      "BELEN", 55, "FNDR 50, MUNICIPAL", "2022-01-03", "2023-12-29", 220, [NN, JOV],
      ("Niños, niñas y jóvenes que participan en talleres deportivos", "MP", "COB", "personas", 60, 220,
       "trimestral")),
    # --- EJE-2 cultura y patrimonio ------------------------------------------------------------
    I("iglesia-parinacota", "Restauración iglesia de Parinacota", P, "PRG-2.2.1", "DOM", "PARINACOTA", 1900,
      "FNDR 70, PRIVADO", "2021-04-01", "2023-10-31", 6000, [AYM, TUR],
      ("Visitantes anuales al templo restaurado", "MP", "EFE", "visitantes", 6000, 11000, "anual"),
      preds=["iglesias-diseno"]),
    I("iglesias-diseno", "Diagnóstico y diseño de restauración de las iglesias de Parinacota, Belén y Socoroma", E,
      "PRG-2.2.1", "SECPLAN", "PARINACOTA", 78, "FNDR", "2020-02-03", "2021-03-31", 1200, [AYM]),
    I("iglesia-belen", "Restauración iglesias de Belén", P, "PRG-2.2.1", "DOM", "BELEN", 1450, "FNDR 75, PRIVADO",
      "2022-05-02", "2025-04-30", 300, [AYM, TUR],
      ("Templos de Belén restaurados y abiertos al culto", "MP", "EFI", "templos", 0, 2, "semestral"),
      preds=["iglesias-diseno"], curve="mensual"),
    I("iglesia-socoroma", "Conservación iglesia de San Francisco de Socoroma", P, "PRG-2.2.1", "DOM", "SOCOROMA", 680,
      "FNDR 80, PRIVADO", "2023-06-01", "2025-05-30", 180, [AYM, TUR],
      ("Elementos estructurales con daño reparados", "MP", "CAL", "%", 0, 100, "semestral")),
    I("fiestas-patronales", "Programa de apoyo a fiestas patronales y carnaval andino", G, "PRG-2.1.2", "DIDECO",
      "PUTRE", 120, "MUNICIPAL 70, FNDR", "2020-01-15", "2023-12-29", 2500, [AYM, POB, TUR],
      ("Fiestas patronales con apoyo municipal", "MP", "COB", "fiestas", 6, 14, "anual")),
    I("centro-cultural", "Construcción centro cultural aymara de Putre", P, "PRG-2.2.2", "SECPLAN", "PUTRE", 980,
      "FNDR 90, MUNICIPAL", "2023-03-01", "2025-09-30", 2000, [AYM, JOV, POB],
      ("Actividades culturales anuales en el centro cultural", "MP", "COB", "actividades", 0, 40, "anual"),
      preds=["centro-cultural-diseno"]),
    I("centro-cultural-diseno", "Diseño centro cultural aymara de Putre", E, "PRG-2.2.2", "SECPLAN", "PUTRE", 45,
      "MUNICIPAL", "2021-06-01", "2022-06-30", 2000, [AYM]),
    I("arqueologia-tignamar", "Registro del patrimonio arqueológico y arte rupestre del valle de Tignámar", E,
      "PRG-2.2.2", "SECPLAN", "TIGNAMAR", 38, "FNDR", "2022-04-01", "2023-03-31", 120, [AYM, TUR],
      ("Sitios arqueológicos registrados en ficha del Consejo de Monumentos", "MP", "EFI", "sitios", 4, 30,
       "trimestral")),
    I("textil-caquena", "Talleres de tejido y artesanía textil aymara de Caquena", G, "PRG-2.1.2", "DIDECO", "CAQUENA",
      35, "FNDR", "2021-08-02", "2022-07-29", 40, [MUJ, AYM],
      ("Artesanas que venden sus productos en ferias", "MP", "EFE", "personas", 5, 25, "semestral")),
    I("aymara-comunitario", "Talleres comunitarios de lengua aymara en Chucuyo y Parinacota", A, "PRG-2.1.1", "DIDECO",
      "CHUCUYO", 22, "MUNICIPAL", "2022-04-01", "2022-12-16", 45, [AYM, PM, NN],
      ("Participantes que completan el ciclo de talleres", "MP", "COB", "personas", 0, 35, "trimestral"),
      hitos=[("Educador tradicional contratado y plan de talleres aprobado", 0.12),
             ("Encuentro de cierre con la comunidad", 0.9)]),
    # --- EJE-3 turismo -------------------------------------------------------------------------
    I("centro-interpretacion-lauca", "Diseño y construcción centro de interpretación Parque Nacional Lauca", P,
      "PRG-3.1.1", "TURISMO", "PARINACOTA", 1650, "FNDR 90, MUNICIPAL", "2021-07-01", "2025-06-30", 18000,
      [TUR, AYM, NN], ("Visitantes atendidos en el centro de interpretación", "MP", "COB", "visitantes", 0, 12000,
                       "anual"),
      preds=["pladetur"], curve="mensual", site=(-18.240, -69.160),
      hitos=[("Diseño de arquitectura aprobado", 0.2), ("Licitación de obras adjudicada", 0.35),
             ("50 % de avance físico de obras", 0.65), ("Recepción provisoria de obras", 0.93)]),
    I("oficina-turismo", "Oficina de turismo comunal", A, "PRG-3.1.1", "TURISMO", "PUTRE", 60, "MUNICIPAL",
      "2020-05-04", "2021-04-30", 4500, [TUR],
      ("Visitantes atendidos en la oficina de turismo", "MP", "COB", "visitantes", 0, 4500, "trimestral"),
      hitos=[("Local habilitado y encargada contratada", 0.2), ("Oficina abierta al público", 0.35),
             ("Informe anual de atención a visitantes", 0.95)]),
    I("pladetur", "Plan de desarrollo turístico comunal (PLADETUR)", E, "PRG-3.1.2", "TURISMO", "PUTRE", 42,
      "FNDR 60, MUNICIPAL", "2020-03-02", "2020-12-30", 2800, [TUR, POB]),
    I("guias-locales", "Programa de capacitación en turismo rural y guías locales", G, "PRG-3.1.2", "TURISMO",
      "SOCOROMA", 68, "FNDR", "2021-04-01", "2023-03-31", 90, [JOV, MUJ, AYM],
      ("Guías locales certificados", "MP", "EFE", "personas", 4, 30, "semestral")),
    I("senaletica", "Señalética turística y miradores de la ruta 11 y la ruta de las misiones", P, "PRG-3.1.1",
      "TURISMO", "ZAPAHUIRA", 130, "FRIL", "2022-08-01", "2023-05-31", 15000, [TUR],
      ("Puntos de interés turístico señalizados", "MP", "EFI", "puntos", 3, 25, "trimestral")),
    I("promocion-misiones", "Programa de promoción turística Ruta de las Misiones y Lauca", G, "PRG-3.1.2", "TURISMO",
      "BELEN", 95, "FNDR 70, PRIVADO", "2022-10-03", "2024-09-30", 14000, [TUR, AYM],
      ("Visitantes que pernoctan en la comuna en el año", "MD", "EFE", "visitantes", 9000, 14000, "anual")),
    I("servicios-chucuyo", "Construcción baños públicos y área de servicios turísticos de Chucuyo", P, "PRG-3.1.1",
      "TURISMO", "CHUCUYO", 110, "SUBDERE-PMU", "2023-04-03", "2023-12-29", 8000, [TUR, POB],
      ("Reclamos de visitantes por falta de servicios higiénicos", "MP", "CAL", "reclamos/año", 40, 5, "semestral")),
    I("capacidad-carga-chungara", "Estudio de capacidad de carga turística del lago Chungará y bofedal de Parinacota",
      E, "PRG-5.1.1", "MEDIOAMBIENTE", "PARINACOTA", 35, "FNDR", "2024-09-02", "2025-06-30", 15000, [TUR],
      site=(-18.250, -69.170)),
    # --- EJE-3 ganadería -----------------------------------------------------------------------
    I("mejoramiento-genetico", "Programa de mejoramiento genético de camélidos", G, "PRG-3.2.1", "TURISMO", "CAQUENA",
      285, "FNDR 80, MUNICIPAL", "2021-03-01", "2024-12-20", 65, [GAN, AYM],
      ("Alpacas con registro genealógico y reproductores seleccionados", "MP", "EFI", "cabezas de ganado", 300,
       1500, "semestral"), curve="mensual"),
    I("sanidad-camelidos", "Programa sanitario de camélidos (desparasitación y vacunación)", G, "PRG-3.2.1",
      "TURISMO", "GUALLATIRE", 120, "FNDR", "2020-04-01", "2022-03-31", 70, [GAN],
      ("Mortalidad de crías de camélidos", "MP", "EFE", "%", 28, 14, "anual")),
    I("acopio-fibra", "Centro de acopio de fibra de alpaca", P, "PRG-3.2.2", "TURISMO", "CHUCUYO", 420,
      "FNDR 85, PRIVADO", "2023-02-01", "2024-07-31", 65, [GAN, MUJ, AYM],
      ("Fibra de alpaca comercializada a través del centro de acopio", "MP", "EFE", "kg", 0, 8000, "anual"),
      preds=["mejoramiento-genetico", "mercado-fibra"]),
    I("mercado-fibra", "Estudio de mercado y cadena de valor de la fibra de alpaca", E, "PRG-3.2.2", "TURISMO",
      "CHUCUYO", 32, "FNDR", "2021-09-01", "2022-06-30", 65, [GAN]),
    I("corrales-caquena", "Construcción de cercos y corrales de manejo ganadero en Caquena", P, "PRG-3.2.1", "TURISMO",
      "CAQUENA", 90, "FRIL", "2022-03-01", "2022-12-16", 30, [GAN],
      ("Familias ganaderas con corrales de manejo", "MP", "COB", "familias", 8, 30, "trimestral")),
    # --- EJE-3 agricultura ---------------------------------------------------------------------
    I("terrazas-socoroma", "Conservación de terrazas agrícolas de Socoroma", P, "PRG-3.3.1", "TURISMO", "SOCOROMA",
      380, "FNDR 60, MOP", "2021-09-01", "2023-08-31", 55, [AGR, AYM],
      ("Hectáreas de terrazas recuperadas y en cultivo", "MP", "EFI", "ha", 12, 40, "semestral"), curve="mensual"),
    I("canal-belen", "Mejoramiento canal de regadío de Belén", P, "PRG-3.3.1", "DOM", "BELEN", 260, "MOP",
      "2022-04-01", "2023-06-30", 45, [AGR],
      ("Pérdida de agua por infiltración en el canal", "MP", "EFC", "%", 45, 15, "semestral")),
    I("oregano", "Programa de fomento al cultivo y comercialización de orégano", G, "PRG-3.3.2", "TURISMO",
      "CHAPIQUINA", 110, "FNDR", "2021-06-01", "2024-05-31", 70, [AGR, MUJ],
      ("Orégano comercializado en el año", "MP", "EFE", "toneladas", 35, 60, "anual")),
    I("riego-tignamar", "Tecnificación del riego en el valle de Tignámar", P, "PRG-3.3.1", "TURISMO", "TIGNAMAR", 145,
      "MOP 80, PRIVADO", "2023-03-01", "2024-03-29", 35, [AGR],
      ("Hectáreas con riego tecnificado", "MP", "EFI", "ha", 2, 18, "semestral"), preds=["hidrologia-tignamar"]),
    I("hidrologia-tignamar", "Estudio hidrológico y de derechos de agua del valle de Tignámar", E, "PRG-3.3.1",
      "SECPLAN", "TIGNAMAR", 48, "MOP", "2021-11-02", "2022-10-31", 35, [AGR]),
    I("fondos-emprendimiento", "Programa de emprendimiento y comercio local (fondos concursables)", G, "PRG-3.3.2",
      "TURISMO", "PUTRE", 90, "MUNICIPAL", "2022-01-03", "2024-12-20", 75, [MUJ, JOV, AGR],
      ("Emprendimientos financiados que siguen activos al año", "MP", "EFE", "%", 50, 75, "anual")),
    I("feria-zapahuira", "Feria agrícola y artesanal de Zapahuira", A, "PRG-3.3.2", "TURISMO", "ZAPAHUIRA", 18,
      "MUNICIPAL", "2023-09-01", "2024-02-29", 60, [AGR, MUJ, TUR],
      ("Expositores locales en la feria", "MP", "COB", "expositores", 0, 40, "trimestral"),
      hitos=[("Convocatoria de expositores cerrada", 0.3), ("Feria realizada", 0.7),
             ("Informe de ventas y evaluación", 0.92)]),
    # --- EJE-4 agua y saneamiento --------------------------------------------------------------
    I("apr-socoroma", "Mejoramiento sistema de agua potable rural Socoroma", P, "PRG-4.1.1", "DOM", "SOCOROMA", 890,
      "MOP", "2021-05-03", "2023-04-28", 210, [POB],
      ("Pérdida de agua en la red de distribución", "MP", "EFC", "%", 42, 18, "trimestral"),
      preds=["apr-diseno"], curve="mensual"),
    I("apr-diseno", "Diseño de ingeniería de agua potable rural Socoroma y Zapahuira", E, "PRG-4.1.1", "SECPLAN",
      "SOCOROMA", 65, "MOP", "2020-02-03", "2021-01-29", 300, [POB]),
    I("apr-zapahuira", "Construcción sistema de agua potable rural Zapahuira", P, "PRG-4.1.1", "DOM", "ZAPAHUIRA", 720,
      "MOP", "2022-06-01", "2024-05-31", 95, [POB],
      ("Viviendas con conexión domiciliaria de agua potable", "MP", "COB", "viviendas", 0, 38, "trimestral"),
      preds=["apr-diseno"]),
    I("agua-putre", "Mejoramiento planta de tratamiento y red de agua potable de Putre", P, "PRG-4.1.1", "DOM", "PUTRE",
      1850, "MOP 70, FNDR", "2023-01-02", "2025-06-30", 1500, [POB],
      ("Horas de corte del suministro de agua en el año", "MP", "CAL", "horas", 240, 48, "trimestral")),
    I("abastos-altiplano", "Abastos de agua potable para Guallatire y Caquena", P, "PRG-4.1.1", "DOM", "GUALLATIRE",
      310, "SUBDERE-PMB", "2022-02-01", "2023-01-31", 120, [POB, GAN],
      ("Viviendas con agua potable que cumple la norma NCh 409", "MP", "CAL", "viviendas", 0, 30, "trimestral")),
    I("alcantarillado-belen", "Construcción alcantarillado y planta de tratamiento de aguas servidas de Belén", P,
      "PRG-4.1.2", "DOM", "BELEN", 1250, "FNDR 70, SUBDERE-PMB", "2023-05-02", "2025-10-31", 160, [POB],
      ("Viviendas conectadas al alcantarillado", "MP", "COB", "viviendas", 0, 55, "semestral"),
      preds=["alcantarillado-diseno"]),
    I("alcantarillado-diseno", "Diseño alcantarillado y plantas de tratamiento de Belén y Chapiquiña", E,
      "PRG-4.1.2", "SECPLAN", "CHAPIQUINA", 72, "SUBDERE-PMB", "2021-03-01", "2022-08-31", 230, [POB]),
    I("casetas-tignamar", "Soluciones sanitarias individuales (casetas sanitarias) en Tignámar", P, "PRG-4.1.2", "DOM",
      "TIGNAMAR", 240, "SUBDERE-PMB", "2024-04-01", "2025-07-31", 90, [POB, PM],
      ("Viviendas con caseta sanitaria y sistema particular de tratamiento", "MP", "COB", "viviendas", 0, 28,
       "trimestral")),
    # --- EJE-4 conectividad --------------------------------------------------------------------
    I("camino-zapahuira-chapiquina", "Mejoramiento camino Zapahuira–Chapiquiña", P, "PRG-4.2.1", "DOM", "ZAPAHUIRA",
      4800, "MOP", "2021-10-01", "2025-09-30", 700, [POB, AGR, TUR],
      ("Días al año con el camino cortado por lluvias o derrumbes", "MP", "EFE", "días", 25, 5, "anual"),
      preds=["camino-ingenieria"], curve="mensual", site=(-18.335, -69.575)),
    I("camino-ingenieria", "Estudio de ingeniería camino Zapahuira–Chapiquiña–Belén", E, "PRG-4.2.1", "SECPLAN",
      "ZAPAHUIRA", 80, "MOP", "2020-01-15", "2021-06-30", 700, [POB]),
    I("caminos-belen-tignamar", "Conservación caminos vecinales Belén–Tignámar", P, "PRG-4.2.1", "DOM", "TIGNAMAR",
      1100, "MOP", "2022-11-02", "2024-10-31", 250, [POB, AGR],
      ("Kilómetros de camino con solución básica (estabilizado)", "MP", "EFI", "km", 0, 32, "trimestral")),
    I("acceso-caquena", "Mejoramiento camino de acceso a Caquena", P, "PRG-4.2.1", "DOM", "CAQUENA", 2300,
      "MOP 85, FNDR", "2023-04-03", "2025-12-19", 110, [GAN, POB, TUR],
      ("Kilómetros de camino mejorado", "MP", "EFI", "km", 0, 27, "trimestral")),
    I("maquinaria-caminos", "Programa de mantención de caminos vecinales con maquinaria municipal", G, "PRG-4.2.1",
      "DOM", "PUTRE", 260, "MUNICIPAL 60, FNDR", "2020-05-04", "2024-04-30", 2800, [POB],
      ("Kilómetros de caminos vecinales mantenidos en el año", "MD", "EFI", "km", 40, 120, "trimestral")),
    I("antenas-altiplano", "Antenas de telefonía móvil e internet en Guallatire y Caquena", P, "PRG-4.2.2", "SECPLAN",
      "GUALLATIRE", 540, "FNDR 70, PRIVADO", "2022-05-02", "2024-04-30", 230, [POB, GAN, TUR],
      ("Localidades con cobertura de telefonía móvil e internet", "MP", "COB", "localidades", 5, 10, "semestral")),
    # --- EJE-4 energía, vivienda y equipamiento ------------------------------------------------
    I("fv-caquena", "Electrificación fotovoltaica Caquena", P, "PRG-4.3.1", "SECPLAN", "CAQUENA", 680, "FNDR",
      "2021-08-02", "2023-01-31", 110, [POB, GAN],
      ("Viviendas con suministro eléctrico las 24 horas", "MP", "COB", "viviendas", 4, 42, "trimestral"),
      preds=["fv-prefactibilidad"], curve="mensual"),
    I("fv-prefactibilidad", "Estudio de prefactibilidad de electrificación fotovoltaica de localidades del altiplano",
      E, "PRG-4.3.1", "SECPLAN", "PARINACOTA", 55, "FNDR", "2020-04-01", "2021-03-31", 300, [POB]),
    I("fv-guallatire", "Electrificación fotovoltaica Guallatire", P, "PRG-4.3.1", "SECPLAN", "GUALLATIRE", 420, "FNDR",
      "2023-02-01", "2024-06-28", 70, [POB, GAN],
      ("Viviendas con suministro eléctrico las 24 horas", "MP", "COB", "viviendas", 0, 26, "trimestral"),
      preds=["fv-prefactibilidad"]),
    I("alumbrado-led", "Recambio de alumbrado público a tecnología LED en Putre", P, "PRG-4.3.1", "DOM", "PUTRE", 150,
      "SUBDERE-PMU", "2020-08-03", "2021-02-26", 1400, [POB],
      ("Consumo eléctrico anual del alumbrado público", "MD", "EFC", "MWh", 210, 110, "anual")),
    I("vivienda-rural", "Programa de vivienda rural: entidad patrocinante municipal para subsidios habitacionales", G,
      "PRG-4.3.2", "DIDECO", "PUTRE", 180, "MINVU 80, MUNICIPAL", "2021-01-04", "2024-12-20", 200, [POB, PM, AYM],
      ("Viviendas construidas o mejoradas con subsidio", "MP", "EFI", "viviendas", 0, 60, "semestral")),
    I("termico-parinacota", "Mejoramiento térmico de viviendas en Parinacota y Chucuyo", P, "PRG-4.3.2", "DIDECO",
      "PARINACOTA", 780, "MINVU", "2023-03-01", "2025-02-28", 130, [POB, PM],
      ("Viviendas con acondicionamiento térmico", "MP", "COB", "viviendas", 0, 45, "semestral")),
    I("sede-chapiquina", "Construcción sede social multiuso de Chapiquiña", P, "PRG-4.3.2", "DOM", "CHAPIQUINA", 120,
      "FRIL", "2022-09-01", "2023-06-30", 110, [POB, AYM],
      ("Organizaciones que usan la sede al menos una vez al mes", "MP", "EFE", "organizaciones", 0, 6,
       "trimestral")),
    I("plaza-putre", "Mejoramiento plaza y espacios públicos de Putre", P, "PRG-4.3.2", "DOM", "PUTRE", 650,
      "MINVU 80, MUNICIPAL", "2024-10-01", "2025-12-19", 1400, [POB, NN, TUR],
      ("Superficie de espacio público mejorado", "MP", "EFI", "m²", 0, 4200, "trimestral"),
      preds=["plan-regulador"]),
    I("multicancha-tignamar", "Cierre perimetral y multicancha de Tignámar", P, "PRG-4.3.2", "DOM", "TIGNAMAR", 75,
      "FRIL", "2024-11-04", "2025-08-29", 90, [NN, JOV],
      ("Horas semanales de uso de la multicancha", "MP", "EFE", "horas", 0, 20, "trimestral")),
    # --- EJE-5 medio ambiente y riesgo ---------------------------------------------------------
    I("bofedales", "Programa de conservación de bofedales altoandinos", G, "PRG-5.1.1", "MEDIOAMBIENTE", "PARINACOTA",
      160, "FNDR 70, PRIVADO", "2021-10-01", "2024-09-30", 90, [GAN, AYM],
      ("Hectáreas de bofedal con manejo y riego restituido", "MP", "EFE", "ha", 50, 320, "semestral")),
    I("plan-residuos", "Plan comunal de gestión de residuos sólidos", E, "PRG-5.2.1", "MEDIOAMBIENTE", "PUTRE", 40,
      "FNDR 70, MUNICIPAL", "2020-07-01", "2021-06-30", 2800, [POB]),
    I("basural-putre", "Cierre del basural de Putre y construcción de punto limpio", P, "PRG-5.2.1", "MEDIOAMBIENTE",
      "PUTRE", 520, "FNDR", "2022-07-01", "2024-06-28", 1500, [POB],
      ("Residuos dispuestos en sitio no autorizado", "MP", "EFE", "toneladas/año", 650, 0, "semestral"),
      preds=["plan-residuos"], site=(-18.185, -69.578)),
    I("recoleccion-altiplano", "Recolección de residuos en localidades del altiplano", G, "PRG-5.2.1", "MEDIOAMBIENTE",
      "CHUCUYO", 130, "MUNICIPAL", "2022-01-03", "2024-12-20", 350, [POB, TUR],
      ("Frecuencia de recolección en localidades del altiplano", "MD", "CAL", "visitas/mes", 1, 4, "trimestral")),
    I("riesgo-volcanico", "Plan comunal de gestión del riesgo volcánico Guallatiri", E, "PRG-5.3.1", "GESTION-RIESGO",
      "GUALLATIRE", 62, "FNDR", "2021-03-01", "2022-02-28", 120, [POB, GAN],
      ("Familias de Guallatire con plan familiar de evacuación", "MP", "COB", "familias", 0, 25, "trimestral")),
    I("alerta-temprana", "Sistema de alerta temprana y sirenas ante erupciones y aluviones", P, "PRG-5.3.1",
      "GESTION-RIESGO", "GUALLATIRE", 210, "FNDR 80, MUNICIPAL", "2022-06-01", "2023-12-29", 600, [POB],
      ("Tiempo de aviso a la población ante una alerta", "AT", "EFC", "minutos", 60, 10, "mensual"),
      preds=["riesgo-volcanico"]),
    I("plan-emergencia", "Actualización del plan comunal de emergencia", A, "PRG-5.3.1", "GESTION-RIESGO", "PUTRE", 25,
      "MUNICIPAL", "2020-03-02", "2020-10-30", 2800, [POB],
      ("Tiempo de respuesta municipal ante emergencias", "MD", "EFC", "minutos", 90, 45, "trimestral"),
      hitos=[("Mapa de amenazas y recursos validado", 0.35), ("Plan aprobado por el Concejo Municipal", 0.85)]),
    I("mitigacion-ruta11", "Obras de mitigación de remociones en masa en la ruta 11, sector Zapahuira", P,
      "PRG-5.3.1", "DOM", "ZAPAHUIRA", 2900, "MOP", "2022-10-03", "2025-09-30", 2800, [POB, TUR],
      ("Días de cierre de la ruta 11 por derrumbes en el sector", "MP", "EFE", "días", 18, 6, "anual"),
      site=(-18.310, -69.592)),
    I("preparacion-comunitaria", "Programa de preparación comunitaria ante emergencias", G, "PRG-5.3.2",
      "GESTION-RIESGO", "BELEN", 70, "FNDR 60, MUNICIPAL", "2021-09-01", "2023-08-31", 900, [POB, PM, DIS],
      ("Localidades con comité de emergencia capacitado", "MP", "COB", "localidades", 1, 10, "semestral")),
    I("bodega-emergencia", "Construcción bodega comunal de emergencia", P, "PRG-5.3.2", "GESTION-RIESGO", "PUTRE", 95,
      "SUBDERE-PMU", "2022-03-01", "2022-11-30", 2800, [POB],
      ("Kits de emergencia disponibles en bodega", "MP", "CAL", "kits", 40, 300, "trimestral")),
    # --- EJE-6 gestión municipal y participación -----------------------------------------------
    I("plan-regulador", "Actualización plan regulador comunal de Putre", E, "PRG-6.1.2", "SECPLAN", "PUTRE", 78,
      "MINVU", "2021-01-04", "2023-12-29", 1500, [POB],
      ("Etapas del plan regulador aprobadas", "MD", "EFI", "etapas", 0, 5, "semestral")),
    I("cuadro-mando", "Implementación del cuadro de mando y sistema de seguimiento del PLADECO", A, "PRG-6.1.1",
      "ALCALDIA", "PUTRE", 35, "MUNICIPAL", "2020-07-01", "2021-06-30", 2800, [POB],
      ("Iniciativas del PLADECO con avance reportado en el mes", "AT", "EFI", "%", 0, 95, "mensual"),
      hitos=[("Responsables de iniciativas designados", 0.15), ("Cuadro de mando en operación", 0.6),
             ("Primer informe de seguimiento al Concejo Municipal", 0.9)]),
    I("gestion-financiera", "Modernización del sistema de gestión financiera y contable municipal", A, "PRG-6.1.1",
      "DAF", "PUTRE", 48, "MUNICIPAL", "2021-03-01", "2022-02-28", 2800, [POB],
      ("Días promedio de pago a proveedores", "MD", "EFC", "días", 45, 30, "mensual"),
      hitos=[("Sistema contable adquirido", 0.3), ("Migración de datos y marcha blanca", 0.7)]),
    I("capacitacion-funcionarios", "Plan de capacitación de funcionarios municipales", G, "PRG-6.1.1", "DAF", "PUTRE",
      30, "MUNICIPAL", "2022-01-03", "2023-12-29", 70, [POB],
      ("Funcionarios capacitados en el año", "MD", "COB", "%", 30, 80, "anual")),
    I("presupuestos-participativos", "Presupuestos participativos territoriales (Putre Bajo, Medio y Alto)", G,
      "PRG-6.2.1", "DIDECO", "PUTRE", 150, "MUNICIPAL", "2021-06-01", "2025-05-30", 2800, [POB, AYM],
      ("Vecinos que votan en los presupuestos participativos", "MP", "COB", "personas", 180, 600, "anual")),
    I("cuenta-publica", "Cuenta pública participativa y portal ciudadano del PLADECO", A, "PRG-6.2.1", "ALCALDIA",
      "PUTRE", 20, "MUNICIPAL", "2022-02-01", "2022-05-31", 2800, [POB],
      ("Visitas al portal ciudadano de seguimiento del PLADECO", "MP", "COB", "visitas", 0, 3000, "trimestral"),
      hitos=[("Portal ciudadano publicado", 0.4), ("Cuenta pública presentada al Concejo y al COSOC", 0.8)]),
    I("organizaciones-altiplano", "Fortalecimiento de juntas de vecinos y comunidades indígenas de Putre Alto", G,
      "PRG-6.2.1", "DIDECO", "CAQUENA", 45, "FNDR", "2023-04-03", "2024-09-30", 300, [AYM, GAN],
      ("Organizaciones con directiva y personalidad jurídica vigentes", "MP", "EFI", "organizaciones", 6, 14,
       "semestral")),
]

# ---------------------------------------------------------------------------------------------
# Derived records: milestones, indicators, officers, funding, monthly plans
# ---------------------------------------------------------------------------------------------

MILESTONE_TEMPLATES = {
    "obra_grande": [("Licitación de obras adjudicada", 0.12), ("Entrega de terreno e inicio de obras", 0.2),
                    ("50 % de avance físico de obras", 0.55), ("Recepción provisoria de obras", 0.93)],
    "obra": [("Licitación adjudicada", 0.15), ("Inicio de obras", 0.25), ("Recepción provisoria de obras", 0.9)],
    "diseno": [("Contrato de consultoría firmado", 0.08), ("Anteproyecto aprobado", 0.45),
               ("Diseño definitivo aprobado", 0.85), ("Recomendación favorable (RS) del Ministerio de Desarrollo "
                                                      "Social", 0.96)],
    "estudio": [("Contrato del estudio firmado", 0.08), ("Informe de diagnóstico aprobado", 0.45),
                ("Informe final aprobado", 0.93)],
    "programa_largo": [("Convocatoria y selección de participantes", 0.06), ("Primer informe de avance", 0.35),
                       ("Segundo informe de avance", 0.7), ("Evaluación final del programa", 0.96)],
    "programa": [("Convocatoria y selección de participantes", 0.1), ("Informe de avance", 0.5),
                 ("Evaluación final del programa", 0.94)],
    "accion": [("Plan de trabajo aprobado", 0.15), ("Informe de cierre entregado", 0.92)],
}

DEPT_INFO = {code: (name, _person(*head), [_person(*o) for o in officers])
             for code, name, head, officers in DEPARTMENTS}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _months(start: dt.date, end: dt.date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _monthly_plan(start: dt.date, end: dt.date) -> list[dict]:
    """An S-curve (smoothstep) from the first month to 100 % in the end month."""
    months = _months(start, end)
    n = len(months)
    plan = []
    for k, month in enumerate(months, start=1):
        t = k / n
        pct = 100.0 if k == n else round(100 * (3 * t * t - 2 * t * t * t), 1)
        plan.append({"mes": month, "avance_pct": pct})
    return plan


def _funding(budget: int, spec: str) -> list[dict]:
    parts = [p.split() for p in spec.split(",")]
    out, allotted = [], 0
    for i, part in enumerate(parts):
        source = part[0]
        if i == len(parts) - 1:
            amount = budget - allotted
        else:
            amount = round(budget * int(part[1]) / 100 / 1000) * 1000
        allotted += amount
        out.append({"fuente": source, "monto_clp": amount})
    return out


def _officers(i: int, spec: dict) -> list[dict]:
    _, head, staff = DEPT_INFO[spec["dept"]]
    first = staff[i % len(staff)]
    kind, budget = spec["kind"], spec["budget_m"]
    if kind == P and budget >= 300:
        # Large works: the unit's officer plus a works inspector (or a SECPLAN formulator for DOM's own works).
        support = DEPT_INFO["SECPLAN"][2][0] if spec["dept"] == "DOM" else DEPT_INFO["DOM"][2][i % 2]
        return [first, support] if support["email"] != first["email"] else [first, head]
    if kind == G and budget >= 150:
        return [first, head]
    return [first]


def _milestone_template(spec: dict) -> list[tuple[str, float]]:
    if spec.get("hitos"):
        return spec["hitos"]
    kind, budget = spec["kind"], spec["budget_m"]
    if kind == P:
        return MILESTONE_TEMPLATES["obra_grande" if budget >= 300 else "obra"]
    if kind == E:
        return MILESTONE_TEMPLATES["diseno" if spec["name"].startswith(("Diseño", "Estudio de ingeniería"))
                                   else "estudio"]
    if kind == G:
        months = (_date(spec["end"]) - _date(spec["start"])).days / 30.44
        return MILESTONE_TEMPLATES["programa_largo" if months > 24 else "programa"]
    return MILESTONE_TEMPLATES["accion"]


def _indicator(code, name, cat, dim, unit, base, target, period, due, thresholds=None):
    green, yellow = thresholds or THRESHOLDS[cat]
    return {
        "codigo": code,
        "nombre": name,
        "categoria": CATEGORY[cat],
        "dimension": DIMENSION[dim],
        "unidad": unit,
        "linea_base": base,
        "meta": target,
        "fecha_meta": due,
        "sentido": "descendente" if target < base else "ascendente",
        "periodicidad": period,
        "semaforo": {"verde": green, "amarillo": yellow},
    }


def _indicators(code: str, spec: dict) -> list[dict]:
    due = spec["end"]
    rows = []
    if spec["ind"]:
        rows.append(spec["ind"])
    elif spec["kind"] == E:
        rows.append(
            ("Etapas del estudio aprobadas por la contraparte técnica", "MD", "EFI", "%", 0, 100, "trimestral")
        )
    kind, budget = spec["kind"], spec["budget_m"]
    if kind in (P, E, A) and not any(r[1] == "AT" for r in rows):
        rows.append(("Hitos cumplidos en la fecha programada", "AT", "EFI", "%", 0, 100, "mensual"))
    if budget >= 100 and kind != E:
        rows.append(("Ejecución presupuestaria", "MD", "EFC", "%", 0, 100, "trimestral"))
    if kind == G and len(rows) < 3:
        rows.append(("Satisfacción de los participantes", "MP", "CAL", "%", 65, 85, "anual"))
    return [_indicator(f"{code}-I{j}", *row, due) for j, row in enumerate(rows[:3], start=1)]


def _milestones(code: str, spec: dict, officers: list[dict]) -> list[dict]:
    start, end = _date(spec["start"]), _date(spec["end"])
    days = (end - start).days
    out = []
    for j, (name, frac) in enumerate(_milestone_template(spec), start=1):
        due = start + dt.timedelta(days=round(frac * days))
        while due.weekday() >= 5 or (due.month, due.day) in ((12, 25), (1, 1), (9, 18), (9, 19)):
            due -= dt.timedelta(days=1)  # back to the previous working day
        owner = officers[(j - 1) % len(officers)]["email"]
        out.append({"codigo": f"{code}-H{j}", "nombre": name, "fecha": due.isoformat(), "responsable": owner})
    return out


def _initiative(i: int, spec: dict, codes: dict[str, str]) -> dict:
    code = codes[spec["key"]]
    officers = _officers(i, spec)
    budget = spec["budget_m"] * 1_000_000
    lat, lon = spec.get("site") or (None, None)
    curve = spec.get("curve", "lineal")
    return {
        "codigo": code,
        "nombre": spec["name"],
        "tipo": spec["kind"],
        "programa": spec["prog"],
        "unidad_responsable": spec["dept"],
        "responsables": officers,
        "territorio": TERRITORY_OF[spec["loc"]],
        "localidad": spec["loc"],
        "latitud": lat,
        "longitud": lon,
        "presupuesto_clp": budget,
        "financiamiento": _funding(budget, spec["funding"]),
        "inicio": spec["start"],
        "termino": spec["end"],
        "curva": curve,
        "plan_mensual": _monthly_plan(_date(spec["start"]), _date(spec["end"])) if curve == "mensual" else [],
        "beneficiarios": {"cantidad": spec["benef"], "grupos": list(spec["groups"])},
        "predecesoras": [codes[k] for k in spec.get("preds", [])],
        "hitos": _milestones(code, spec, officers),
        "indicadores": _indicators(code, spec),
    }


def _copy(initiative: dict, k: int) -> dict:
    """The k-th benchmark copy of an initiative: every code of its own gets the suffix -X<k>."""
    suffix = f"-X{k}"
    base = initiative["codigo"]

    def recode(code: str) -> str:
        return base + suffix + code[len(base):] if code.startswith(base) else code

    copy = dict(initiative)
    copy["codigo"] = base + suffix
    copy["nombre"] = f"{initiative['nombre']} (copia {k})"
    copy["predecesoras"] = [p + suffix for p in initiative["predecesoras"]]
    copy["hitos"] = [{**h, "codigo": recode(h["codigo"])} for h in initiative["hitos"]]
    copy["indicadores"] = [{**ind, "codigo": recode(ind["codigo"])} for ind in initiative["indicadores"]]
    return copy


def build_putre_plan(scale: int = 1) -> dict:
    """The sample plan document; with ``scale`` > 1, ``scale`` times the initiatives."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    codes = {spec["key"]: f"INI-{i:03d}" for i, spec in enumerate(INITIATIVES, start=1)}
    initiatives = [_initiative(i, spec, codes) for i, spec in enumerate(INITIATIVES, start=1)]
    initiatives += [_copy(ini, k) for k in range(2, scale + 1) for ini in initiatives[: len(INITIATIVES)]]

    problems, rank = [], {}
    for n, (territory, locality, theme, description, severity) in enumerate(PROBLEMS, start=1):
        rank[territory] = rank.get(territory, 0) + 1
        problems.append({"codigo": f"PRB-{n:03d}", "territorio": territory, "localidad": locality, "tema": theme,
                         "descripcion": description, "severidad": severity, "prioridad": rank[territory]})

    return {
        "plan": {
            "codigo": "PLADECO-PUTRE-2020-2025",
            "nombre": "Plan de Desarrollo Comunal de Putre 2020–2025",
            "comuna": "Putre",
            "inicio": "2020-01-01",
            "termino": "2025-12-31",
            "unidad_ejecutora": dict(MANAGEMENT_UNIT),
            "limite_comunal": [list(p) for p in COMMUNE_BOUNDARY],
        },
        "departamentos": [{"codigo": code, "nombre": name, "jefatura": dict(head)}
                          for code, (name, head, _) in DEPT_INFO.items()],
        "territorios": [{"codigo": code, "nombre": name, "limite": [list(p) for p in ring]}
                        for code, name, ring in TERRITORIES],
        "localidades": [{"codigo": code, "nombre": name, "territorio": territory, "latitud": lat, "longitud": lon}
                        for code, name, territory, lat, lon in LOCALITIES],
        "fuentes_financiamiento": [{"codigo": c, "nombre": n, "nivel": lv} for c, n, lv in FUNDING_SOURCES],
        "ejes": [{"codigo": c, "nombre": n, "descripcion": d} for c, n, d in AXES],
        "objetivos": [{"codigo": c, "eje": axis, "nombre": n, "territorios": list(ts)}
                      for c, axis, n, ts, _ in OBJECTIVES],
        "programas": [{"codigo": pc, "objetivo": c, "nombre": pn}
                      for c, _, _, _, progs in OBJECTIVES for pc, pn in progs],
        "problemas": problems,
        "iniciativas": initiatives,
    }


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(REPO_ROOT))
    from shared.plan.files import plan_yaml
    from shared.plan.model import Plan

    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    plan = Plan.model_validate(build_putre_plan())
    output.parent.mkdir(parents=True, exist_ok=True)
    # The project's canonical writer, so that an export of the loaded plan equals this file.
    output.write_text(plan_yaml(plan, header=HEADER_COMMENT), encoding="utf-8")
    print(f"{output}: {len(plan.initiatives)} iniciativas")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
