//! `capacity`: the pure core of commune-capacity (being written: see issue 3).
