"""Feed ranking: the order of posts in a member's feed (LinkedIn-style), from several heads.

Modules so far — the case joins :data:`mlsd.cases.CASES` with its notebooks, explorer and exercise:

- :mod:`.schema` — the impressions table every source is mapped onto, and the heads' labels;
- :mod:`.simulate` — the generative story and the simulator that draws a feed world with its truth;
- :mod:`.kuairand` — the KuaiRand-Pure logs (Gao et al., CIKM 2022), read offline onto the schema;
- :mod:`.data` — ``load_data`` for either source, and the split by day;
- :mod:`.features` — point-in-time features: smoothed past rates per member, topic and creator, and
  the post's engagement counted as it streams in and as a daily batch sees it;
- :mod:`.models` — the reverse-chronological baseline and one calibrated model per head;
- :mod:`.evaluation` — each head's scorecard (AUC, GAUC, normalized entropy, calibration), the value
  model's weighted sum and the feed it produces, measured on the truth;
- :mod:`.position_bias` — examination propensities from random-order sessions, and the click head
  trained naively, with the position as a feature fixed at serving, or with inverse-propensity
  weights, each judged against the true relevance order;
- :mod:`.tradeoffs` — what a daily batch counter misses against a streaming one (most on young viral
  posts), and the sessions team-draft interleaving needs against an A/B test to tell two rankers apart;
- :mod:`.serving` — the two-pass serving funnel and its 200 ms budget;
- :mod:`.design` — the filled design review, the scale, the clarifying questions and the prompts.
"""
