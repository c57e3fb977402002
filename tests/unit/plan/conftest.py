"""A small plan that is valid, for tests that break one thing in it at a time."""

from __future__ import annotations

import copy
from typing import Any

import pytest

COMMUNE = [[-69.9, -17.8], [-69.0, -17.8], [-69.0, -18.9], [-69.9, -18.9], [-69.9, -17.8]]
MEDIO = [[-69.7, -18.1], [-69.45, -18.1], [-69.45, -18.35], [-69.7, -18.35], [-69.7, -18.1]]
ALTO = [[-69.4, -17.9], [-69.05, -17.9], [-69.05, -18.6], [-69.4, -18.6], [-69.4, -17.9]]

SMALL_PLAN: dict[str, Any] = {
    "plan": {
        "codigo": "PLADECO-TEST",
        "nombre": "Plan de prueba",
        "comuna": "Putre",
        "inicio": "2020-01-01",
        "termino": "2025-12-31",
        "unidad_ejecutora": {"nombre": "Ana Mamani", "email": "uec@muniputre.example", "cargo": "Jefa UEC"},
        "limite_comunal": COMMUNE,
    },
    "departamentos": [
        {"codigo": "DOM", "nombre": "Dirección de Obras", "jefatura": {"nombre": "Luis Condori", "email": "dom@muniputre.example"}},
        {"codigo": "SALUD", "nombre": "Salud", "jefatura": {"nombre": "Rosa Choque", "email": "salud@muniputre.example"}},
    ],
    "territorios": [
        {"codigo": "PUTRE-MEDIO", "nombre": "Putre Medio", "limite": MEDIO},
        {"codigo": "PUTRE-ALTO", "nombre": "Putre Alto", "limite": ALTO},
    ],
    "localidades": [
        {"codigo": "PUTRE", "nombre": "Putre", "territorio": "PUTRE-MEDIO", "latitud": -18.197, "longitud": -69.559},
        {"codigo": "SOCOROMA", "nombre": "Socoroma", "territorio": "PUTRE-MEDIO", "latitud": -18.266, "longitud": -69.599},
        {"codigo": "PARINACOTA", "nombre": "Parinacota", "territorio": "PUTRE-ALTO", "latitud": -18.202, "longitud": -69.269},
    ],
    "fuentes_financiamiento": [
        {"codigo": "MUNICIPAL", "nombre": "Municipal", "nivel": "municipal"},
        {"codigo": "FNDR", "nombre": "Fondo Nacional de Desarrollo Regional", "nivel": "regional"},
    ],
    "ejes": [{"codigo": "EJE-1", "nombre": "Servicios básicos", "descripcion": "Agua, salud, caminos"}],
    "objetivos": [{"codigo": "OE-1.1", "eje": "EJE-1", "nombre": "Agua potable segura", "territorios": ["PUTRE-MEDIO", "PUTRE-ALTO"]}],
    "programas": [{"codigo": "PR-1.1.1", "objetivo": "OE-1.1", "nombre": "Agua potable rural"}],
    "problemas": [
        {"codigo": "DG-01", "territorio": "PUTRE-MEDIO", "localidad": "SOCOROMA", "tema": "agua potable",
         "descripcion": "Cortes de agua en verano", "severidad": 4, "prioridad": 1},
    ],
    "iniciativas": [
        {
            "codigo": "INI-001", "nombre": "Diseño agua potable Socoroma", "tipo": "estudio",
            "programa": "PR-1.1.1", "unidad_responsable": "DOM",
            "responsables": [{"nombre": "Pedro Flores", "email": "pflores@muniputre.example", "cargo": "Profesional DOM"}],
            "territorio": "PUTRE-MEDIO", "localidad": "SOCOROMA",
            "presupuesto_clp": 40_000_000, "financiamiento": [{"fuente": "MUNICIPAL", "monto_clp": 40_000_000}],
            "inicio": "2021-03-01", "termino": "2021-12-31",
            "beneficiarios": {"cantidad": 180, "grupos": ["comunidades aymara"]},
            "hitos": [{"codigo": "INI-001-H1", "nombre": "Diseño aprobado", "fecha": "2021-11-30", "responsable": "pflores@muniputre.example"}],
            "indicadores": [],
        },
        {
            "codigo": "INI-002", "nombre": "Construcción agua potable Socoroma", "tipo": "proyecto",
            "programa": "PR-1.1.1", "unidad_responsable": "DOM",
            "responsables": [{"nombre": "Pedro Flores", "email": "pflores@muniputre.example"}],
            "territorio": "PUTRE-MEDIO", "localidad": "SOCOROMA",
            "presupuesto_clp": 900_000_000,
            "financiamiento": [{"fuente": "FNDR", "monto_clp": 850_000_000}, {"fuente": "MUNICIPAL", "monto_clp": 50_000_000}],
            "inicio": "2022-03-01", "termino": "2023-06-30", "curva": "mensual",
            "plan_mensual": [{"mes": "2022-06", "avance_pct": 20}, {"mes": "2022-12", "avance_pct": 60}, {"mes": "2023-06", "avance_pct": 100}],
            "beneficiarios": {"cantidad": 180, "grupos": ["comunidades aymara", "personas mayores"]},
            "predecesoras": ["INI-001"],
            "hitos": [
                {"codigo": "INI-002-H1", "nombre": "Contrato firmado", "fecha": "2022-04-15", "responsable": "pflores@muniputre.example"},
                {"codigo": "INI-002-H2", "nombre": "Recepción provisoria", "fecha": "2023-06-15", "responsable": "pflores@muniputre.example"},
            ],
            "indicadores": [
                {"codigo": "INI-002-I1", "nombre": "Viviendas con agua potable", "categoria": "meta_programa",
                 "dimension": "cobertura", "unidad": "viviendas", "linea_base": 20, "meta": 65,
                 "fecha_meta": "2023-06-30", "sentido": "ascendente", "periodicidad": "trimestral",
                 "semaforo": {"verde": 90, "amarillo": 70}},
                {"codigo": "INI-002-I2", "nombre": "Pérdida de agua en la red", "categoria": "meta_departamento",
                 "dimension": "eficiencia", "unidad": "%", "linea_base": 40, "meta": 15,
                 "fecha_meta": "2023-06-30", "sentido": "descendente", "periodicidad": "semestral",
                 "semaforo": {"verde": 85, "amarillo": 60}},
            ],
        },
    ],
}


@pytest.fixture
def plan_document() -> dict[str, Any]:
    """A fresh deep copy of the small valid plan, to break in one place."""
    return copy.deepcopy(SMALL_PLAN)
