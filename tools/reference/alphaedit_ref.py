"""Independent plain-torch reference for AlphaEdit on gpt2_ref (memit_ref's pipeline, AlphaEdit's update).

Written from the AlphaEdit paper (Fang et al., ICLR 2025) and ../shared/docs/editing-methods.md section
4b, in the order of operations of upstream's AlphaEdit/AlphaEdit_main.py and experiments/evaluate.py
(get_project) (jianghoucheng/AlphaEdit); no upstream code.

  P_l    = U_s U_s^T, U_s = left singular vectors of E[k k^T] (the normalised second moment) whose
           singular value is strictly below nullspace_threshold                           [F, F]
  per batch, per layer l_i (memit_ref's keys K [F, n], residual R_i = (Z - cur_z) / (L - i)):
           X = solve(P_l (K K^T + Cp_l) + L2 * I,  P_l K R_i^T)    [F, C],  Delta = X^T
  after the batch: K recomputed at every layer on the edited model, Cp_l += K K^T

`dtype` chooses the precision of P and the solve: upstream uses float32 (the goldens are float64; the
manifest records how far a float32 run lies from them).
"""

import torch


def projector(C, threshold, dtype=torch.float64):
    """P = U_s U_s^T from torch.linalg.svd of C in `dtype`; also the singular values and the count."""
    U, S, _ = torch.linalg.svd(C.to(dtype), full_matrices=False)
    small = (S < threshold).nonzero(as_tuple=True)[0]
    return U[:, small] @ U[:, small].t(), S, len(small)


def alphaedit_update(hp, P, Cp, dtype=torch.float64):
    """The per-layer update for memit_ref.memit_edit(update=...). P, Cp: {layer: [F, F]}."""
    L2 = hp["L2"]

    def update(i, layer, K, Ri):
        K = K.to(dtype)
        F = K.shape[0]
        Pl = P[layer].to(dtype)
        A = Pl @ (K @ K.t() + Cp[layer].to(dtype)) + L2 * torch.eye(F, dtype=dtype)
        X = torch.linalg.solve(A, Pl @ K @ Ri.to(dtype).t())       # [F, C]
        return X.t().double()                                      # [C, F]
    return update
