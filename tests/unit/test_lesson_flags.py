"""A lesson's packet item names a TCP flag (`packet PSH`, lab 11's two segments in) or a whole
set of them (`packet SYN-ACK`): both find the packet tcpdump saw."""

from lab_runner.lessons import fits


def test_a_packet_item_names_one_flag_or_the_whole_set():
    psh = {"kind": "packet", "lane": "wire", "flags": "PSH-ACK"}
    assert fits(psh, "packet PSH") and fits(psh, "packet ACK") and fits(psh, "packet PSH-ACK")
    assert not fits(psh, "packet SYN") and not fits(psh, "packet FIN-ACK")
    assert fits({"kind": "packet", "lane": "wire", "flags": "SYN-ACK"}, "packet SYN-ACK")
