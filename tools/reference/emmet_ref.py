"""Independent plain-torch reference for EMMET on gpt2_ref (memit_ref's pipeline, EMMET's per-layer update).

Written from the EMMET paper (Gupta, Sajnani, Anumanchipalli 2024, "A Unified Framework for Model Editing")
and ../shared/docs/editing-methods.md section 4b, in the order of operations of upstream's
emmet/emmet_main.py (scalable-model-editing/unified-model-editing); no upstream code. Per layer, float64:

  C'  = w * C (the multiply skipped when w = 1) + update_norm_lambda * I (when non-zero)
  C'^-1 by explicit inverse (torch.inverse)
  D   = K^T C'^-1 K  [n, n],  + emmet_lambda * I only when n > 1
  D^-1 by torch.inverse, torch.linalg.pinv when the inverse fails
  A   = (D^-1 K^T C'^-1)^T  [F, n]   ("adj_k")
  Delta = R_i A^T  [C, F]

Keys, z, the residual spread R / (L - i) and the apply-then-restore between layers are memit_ref's.
"""

import torch


def emmet_update(hp, C, report=None):
    """The per-layer update for memit_ref.memit_edit(update=...). report: a dict that receives
    {layer: True} where the pseudo-inverse was needed."""
    w, lam_u, lam_e = hp["mom2_update_weight"], hp["update_norm_lambda"], hp["emmet_lambda"]

    def update(i, layer, K, Ri):
        K = K.double()
        F, n = K.shape
        cov = torch.eye(F, dtype=torch.float64) if C is None else C[layer].to(torch.float64).clone()
        if w != 1:
            cov = cov * w
        if lam_u != 0:
            cov = cov + lam_u * torch.eye(F, dtype=torch.float64)
        C_inv = torch.inverse(cov)
        D = K.t() @ C_inv @ K
        if n > 1:
            D = D + lam_e * torch.eye(n, dtype=torch.float64)
        pseudo = False
        try:
            D_inv = torch.inverse(D)
        except RuntimeError:
            pseudo = True
            D_inv = torch.linalg.pinv(D)
        if report is not None:
            report[layer] = pseudo
        adj = (D_inv @ K.t() @ C_inv).t()                          # [F, n]
        return Ri.double() @ adj.t()                               # [C, F]
    return update
