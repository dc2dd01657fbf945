"""Feed ranking: the order of posts in a member's feed (LinkedIn-style), from several heads.

Modules so far — the case joins :data:`mlsd.cases.CASES` with its notebooks:

- :mod:`.schema` — the impressions table every source is mapped onto, and the heads' labels;
- :mod:`.simulate` — the generative story and the simulator that draws a feed world with its truth;
- :mod:`.kuairand` — the KuaiRand-Pure logs (Gao et al., CIKM 2022), read offline onto the schema.
"""
