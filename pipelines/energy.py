"""The energy estimate of a run: codecarbon's offline tracker around the whole build.

codecarbon's default `EmissionsTracker` probes cloud metadata and geo-IP services; the offline
tracker takes the grid's country from config (`run.country_iso_code`) and never opens a socket.
It estimates rather than meters: RAPL counters where the kernel exposes them, otherwise the
CPU's TDP from codecarbon's table (or a constant for unknown CPUs) times the load, plus a RAM
model. It runs in `machine` mode, so local worker processes are included, and so is anything
else running on the host; remote workers (Dataflow) are not. The figure lands in the manifest's
`run` section, the place for values that differ between runs.
"""

from __future__ import annotations

import logging
from typing import Any

from schemas.config import ConfigError, RunSettings
from schemas.manifest import EnergyEstimate


def _quiet_codecarbon() -> None:
    # codecarbon logs INFO lines (and a warning about parallel trackers) on every start.
    logging.getLogger("codecarbon").setLevel(logging.ERROR)


def check_country(code: str) -> None:
    """Refuse a country code codecarbon has no grid data for, before the build starts."""
    from codecarbon.input import DataSource

    if code not in DataSource().get_global_energy_mix_data():
        raise ConfigError(
            f"run.country_iso_code: codecarbon has no electricity data for '{code}' "
            "(use an ISO 3166-1 alpha-3 code such as USA, FRA or DEU)."
        )


class EnergyMeter:
    """Start before the pipeline runs, stop after it; `stop` returns the estimate or None."""

    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self._tracker: Any = None

    def start(self) -> None:
        if not self.settings.energy:
            return
        check_country(self.settings.country_iso_code)
        import codecarbon
        from codecarbon import OfflineEmissionsTracker

        _quiet_codecarbon()
        self._version = codecarbon.__version__
        self._tracker = OfflineEmissionsTracker(
            country_iso_code=self.settings.country_iso_code,
            save_to_file=False,
            log_level="error",
            tracking_mode="machine",
            # Tests and notebooks may build twice in one process; no lock file is needed.
            allow_multiple_runs=True,
        )
        self._tracker.start()

    def stop(self) -> EnergyEstimate | None:
        if self._tracker is None:
            return None
        tracker, self._tracker = self._tracker, None
        tracker.stop()
        data = tracker.final_emissions_data
        return EnergyEstimate(
            energy_kwh=float(data.energy_consumed),
            cpu_energy_kwh=float(data.cpu_energy),
            ram_energy_kwh=float(data.ram_energy),
            gpu_energy_kwh=float(data.gpu_energy),
            emissions_kg_co2eq=float(data.emissions),
            country_iso_code=self.settings.country_iso_code,
            tracking_mode=str(data.tracking_mode),
            cpu_power_watts=round(float(data.cpu_power), 3),
            cpu_model=str(data.cpu_model),
            tool=f"codecarbon {self._version}",
        )
