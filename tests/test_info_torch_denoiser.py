"""The torch masked-LM adapter, on tiny torch models (skipped when torch is not installed)."""

import numpy as np
import pytest

import symsched as ss
from reference import brute_profile, outside_errors

torch = pytest.importorskip("torch", reason="torch is not installed (optional extra `torch`; CI installs it)")


class TinyMaskedLM(torch.nn.Module):
    """Embedding, one self-attention layer, a vocabulary head: a randomly initialised masked LM."""

    def __init__(self, vocab, dim=8, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.emb = torch.nn.Embedding(vocab, dim)
        self.attn = torch.nn.MultiheadAttention(dim, 2, batch_first=True)
        self.head = torch.nn.Linear(dim, vocab)

    def forward(self, input_ids):
        h = self.emb(input_ids)
        h = h + self.attn(h, h, h, need_weights=False)[0]
        return self.head(h)


class ExactAsLogits(torch.nn.Module):
    """A torch module whose logits are the log of a model's exact conditionals (Hugging Face style output)."""

    def __init__(self, model, mask_id):
        super().__init__()
        self.den, self.mask_id = ss.exact_denoiser(model), mask_id

    def forward(self, input_ids):
        ids = input_ids.numpy()
        probs = self.den(np.where(ids == self.mask_id, -1, ids))
        with np.errstate(divide="ignore"):
            logits = torch.as_tensor(np.log(probs))
        return type("Output", (), {"logits": logits})()


def test_adapter_gives_the_softmax_of_the_logits_with_masks_replaced():
    lm = TinyMaskedLM(vocab=4)
    den = ss.torch_denoiser(lm, mask_token_id=3)
    tokens = np.array([[0, -1, 2, -1, 1], [-1, -1, -1, -1, -1]])
    out = den(tokens)
    with torch.no_grad():
        ids = torch.tensor([[0, 3, 2, 3, 1], [3, 3, 3, 3, 3]])
        expected = torch.softmax(lm(ids).double(), dim=-1).numpy()
    assert out.shape == (2, 5, 4)
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_tiny_random_model_profile_runs_with_errors():
    lm = TinyMaskedLM(vocab=4)  # states 0..2, token 3 is the mask
    data = np.random.default_rng(0).integers(0, 3, size=(40, 5))
    den = ss.torch_denoiser(lm, mask_token_id=3, token_ids=[0, 1, 2], renormalize=True)
    prof = ss.denoiser_profile(den, data, samples_per_size=8, loss="cross-entropy")
    assert getattr(prof, "exact", False) is False
    assert len(prof.h) == 5 and all(s > 0 for s in prof.stderr)
    # without renormalisation the mask token keeps some mass: the profile refuses rather than hide it
    with pytest.raises(ValueError, match="sums to"):
        ss.denoiser_profile(ss.torch_denoiser(lm, 3, token_ids=[0, 1, 2]), data, samples_per_size=4)


def test_exact_conditionals_through_torch_agree_with_the_exact_profile():
    model = ss.markov_chain(4, [0.3, 0.7], [[0.85, 0.15], [0.25, 0.75]])
    den = ss.torch_denoiser(ExactAsLogits(model, mask_id=2), mask_token_id=2, token_ids=[0, 1])
    data = ss.sample_exact(model, 2000, seed=1)
    prof = ss.denoiser_profile(den, data, samples_per_size=300, seed=2)
    exact_h, _ = brute_profile(model.joint())
    assert not outside_errors(prof.h, prof.stderr, exact_h)


def test_adapter_refusals():
    lm = TinyMaskedLM(vocab=4)
    with pytest.raises(ValueError, match="mask_token_id"):
        ss.torch_denoiser(lm, mask_token_id=-1)
    with pytest.raises(ValueError, match="also a state"):
        ss.torch_denoiser(lm, mask_token_id=1, token_ids=[0, 1])
    with pytest.raises(ValueError, match="no token id"):
        ss.torch_denoiser(lm, 3, token_ids=[0, 1])(np.array([[2, -1]]))
    with pytest.raises(ValueError, match="outside the vocabulary"):
        ss.torch_denoiser(lm, 3, token_ids=[0, 7])(np.array([[0, -1]]))
    with pytest.raises(ValueError, match="logits of shape"):
        ss.torch_denoiser(lambda ids: torch.zeros(3), 3)(np.array([[0, -1]]))
