"""Papers as records: every claim id starts with the short name of a registered :class:`Paper`.

The five papers of this project are registered here; a plugin (:mod:`proofs_check.plugins`) registers
its own with :func:`register_paper` before its claims.  ``copy`` names the file our claims were
transcribed from (relative to the directory in ``S3_ORACLE_PAPERS``, default ``../shared/papers`` of a
development checkout; a clone does not have it, so the arXiv id is the public reference).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Paper", "PAPERS", "register_paper", "paper_of"]


@dataclass(frozen=True)
class Paper:
    """One paper: ``short`` is the claim-id prefix."""

    short: str
    title: str
    authors: tuple[str, ...]
    venue: str
    year: int
    arxiv: str | None = None        # arXiv identifier, e.g. "2208.11195"
    arxiv_version: str | None = None  # the version our copy corresponds to, where known
    copy: str | None = None         # our copy's file
    note: str = ""

    @property
    def url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None

    def cite(self) -> str:
        who = ", ".join(self.authors) if self.authors else "anonymous"
        arx = f", arXiv:{self.arxiv}{self.arxiv_version or ''}" if self.arxiv else ""
        return f"{who}. {self.title}. {self.venue} {self.year}{arx}."


PAPERS: dict[str, Paper] = {}


def register_paper(paper: Paper) -> Paper:
    """Add a paper; its short name must be new and usable as a claim-id prefix."""
    if not paper.short or not paper.short.replace("_", "").isalnum() or paper.short != paper.short.lower():
        raise ValueError(f"paper short name must be lowercase letters, digits and '_': {paper.short!r}")
    if paper.short in PAPERS and PAPERS[paper.short] != paper:
        raise ValueError(f"duplicate paper short name {paper.short!r}")
    PAPERS[paper.short] = paper
    return paper


def paper_of(claim_id: str) -> Paper:
    """The paper a claim id belongs to (its prefix before the first dot)."""
    short = claim_id.split(".", 1)[0]
    try:
        return PAPERS[short]
    except KeyError:
        raise KeyError(f"claim {claim_id!r}: no registered paper {short!r} (register_paper first)") from None


# arXiv ids: s3 from our papers index; the other four confirmed against public listings (arXiv, PMLR,
# OpenReview) when this table was written.
register_paper(Paper(
    "s3", "SoftSignSGD (S3): An Enhanced Optimizer for Practical DNN Training and Loss Spikes Minimization "
          "Beyond Adam", (), "ICLR 2025 submission (OpenReview, double-blind)", 2025, arxiv="2507.06464",
    copy="000_070b806cb102347d.txt",
    note="our copy is the anonymous double-blind submission, proofs in its Appendix C"))
register_paper(Paper(
    "gsignsgd", "Robustness to Unbounded Smoothness of Generalized SignSGD",
    ("Michael Crawshaw", "Mingrui Liu", "Francesco Orabona", "Wei Zhang", "Zhenxun Zhuang"), "NeurIPS", 2022,
    arxiv="2208.11195", copy="001_072adaf352647b9e.txt",
    note="our copy is a text extraction of the main paper without its appendix (it ends at the checklist)"))
register_paper(Paper(
    "adasam", "AdaSAM: Boosting Sharpness-Aware Minimization with Adaptive Learning Rate and Momentum for "
              "Training Deep Neural Networks",
    ("Hao Sun", "Li Shen", "Qihuang Zhong", "Liang Ding", "Shixiang Chen", "Jingwei Sun", "Jing Li",
     "Guangzhong Sun", "Dacheng Tao"), "arXiv preprint", 2023, arxiv="2303.00565", copy="002_af265981e3a26c5b.txt"))
register_paper(Paper(
    "nsgdm", "Momentum Improves Normalized SGD", ("Ashok Cutkosky", "Harsh Mehta"),
    "ICML (PMLR 119:2260-2268)", 2020, arxiv="2002.03305", copy="003_ab0b0277e32530a1.txt"))
register_paper(Paper(
    "adamlinf", "Adam Exploits l_inf-geometry of Loss Landscape via Coordinate-wise Adaptivity",
    ("Shuo Xie", "Mohamad Amin Mohamadi", "Zhiyuan Li"), "ICLR", 2025, arxiv="2410.08198",
    copy="004_9648ea27756bd57d.txt"))
