"""A trained torch masked language model as a denoiser (optional extra ``torch``).

The model is anything called as ``model(input_ids)`` that returns logits of shape ``(B, N, vocab)``,
either as a tensor or as an object with a ``.logits`` attribute (Hugging Face models).  Masked positions
(``-1`` in symsched's tokens) are replaced by the model's mask token id; the output is the softmax of the
logits, restricted to ``token_ids`` when the data's states are a subset of the vocabulary.

Wrapping a Hugging Face masked diffusion model (text only; nothing here downloads anything)::

    lm = transformers.AutoModel.from_pretrained("GSAI-ML/LLaDA-8B-Base", trust_remote_code=True)
    den = ss.torch_denoiser(lm, mask_token_id=126336)
    prof = ss.denoiser_profile(den, token_ids, samples_per_size=64)   # token_ids: (n, N) held-out tokens
"""

from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np

from ...errors import SymschedError
from .denoiser import check_tokens

__all__ = ["torch_denoiser", "TorchDenoiser"]


class TorchDenoiser:
    """A torch masked LM wrapped as a symsched denoiser (see :func:`torch_denoiser`)."""

    def __init__(self, model: Any, mask_token_id: int, token_ids: Sequence[int] | None = None,
                 device: Any = None, renormalize: bool = False):
        try:
            import torch
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise SymschedError('torch_denoiser needs torch (pip install "symsched[torch]")') from exc
        if not callable(model):
            raise SymschedError("torch_denoiser: model must be callable (input_ids -> logits), "
                                f"got {type(model).__name__}")
        if not isinstance(mask_token_id, (int, np.integer)) or isinstance(mask_token_id, bool) or mask_token_id < 0:
            raise SymschedError(f"torch_denoiser: mask_token_id must be a non-negative int, got {mask_token_id!r}")
        self.torch, self.model, self.mask_token_id = torch, model, int(mask_token_id)
        self.device = device
        self.token_ids = None if token_ids is None else np.asarray(token_ids, dtype=np.int64)
        if self.token_ids is not None:
            if self.token_ids.ndim != 1 or len(set(self.token_ids.tolist())) != len(self.token_ids):
                raise SymschedError("torch_denoiser: token_ids must be distinct vocabulary ids, one per state")
            if self.mask_token_id in set(self.token_ids.tolist()):
                raise SymschedError(f"torch_denoiser: mask_token_id {mask_token_id} is also a state's token id")
        self.renormalize = bool(renormalize)

    def __call__(self, tokens: Any) -> np.ndarray:
        torch = self.torch
        x = check_tokens(tokens)
        if self.token_ids is None:
            ids = x
        elif x.max(initial=-1) >= len(self.token_ids):
            raise SymschedError(f"tokens: state {int(x.max())} has no token id (token_ids gives "
                                f"{len(self.token_ids)} states)")
        else:
            ids = self.token_ids[np.clip(x, 0, None)]
        ids = np.where(x < 0, self.mask_token_id, ids)
        inp = torch.as_tensor(ids, dtype=torch.long, device=self.device)
        was_training = getattr(self.model, "training", False)
        if hasattr(self.model, "eval"):
            self.model.eval()
        try:
            with torch.no_grad():
                out = self.model(inp)
        finally:
            if was_training and hasattr(self.model, "train"):
                self.model.train()
        logits = getattr(out, "logits", out)
        if not hasattr(logits, "shape") or tuple(logits.shape[:2]) != x.shape or logits.ndim != 3:
            raise SymschedError(f"torch_denoiser: expected logits of shape ({x.shape[0]}, {x.shape[1]}, vocab), got "
                                f"{tuple(getattr(logits, 'shape', ()))}")
        probs = torch.softmax(logits.double(), dim=-1)
        if self.token_ids is not None:
            if int(self.token_ids.max()) >= probs.shape[-1]:
                raise SymschedError(f"torch_denoiser: token id {int(self.token_ids.max())} is outside the vocabulary "
                                    f"of {probs.shape[-1]}")
            probs = probs[..., torch.as_tensor(self.token_ids, device=probs.device)]
            if self.renormalize:
                probs = probs / probs.sum(dim=-1, keepdim=True)
        return probs.cpu().numpy()


def torch_denoiser(model: Any, mask_token_id: int, token_ids: Sequence[int] | None = None, device: Any = None,
                   renormalize: bool = False) -> TorchDenoiser:
    """Wrap a torch masked language model as a denoiser for :func:`symsched.denoiser_profile`.

    Parameters
    ----------
    model : torch.nn.Module or callable
        ``model(input_ids)`` returns logits ``(B, N, vocab)`` (or an object with ``.logits``).  It is run in
        eval mode under ``torch.no_grad()``.
    mask_token_id : int
        The vocabulary id the model was trained with for masked positions.
    token_ids : sequence of int, optional
        The vocabulary id of each state ``0..V-1`` of the data (default: states are vocabulary ids).
    device : optional
        Where to put the inputs (the model's device).
    renormalize : bool
        With ``token_ids``: renormalise the probabilities over those ids.  Off by default — then the
        probabilities sum to less than one whenever the model puts mass elsewhere, and
        :func:`symsched.denoiser_profile` refuses them rather than hide it.

    Returns
    -------
    TorchDenoiser
        ``den(tokens) -> (B, N, V)`` float64 probabilities.
    """
    return TorchDenoiser(model, mask_token_id, token_ids, device, renormalize)
