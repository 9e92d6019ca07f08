# The paper's generation (tests/test_paper.sh): paper/build.sh --small --no-pdf on tiny variants of
# its experiments, the macros paper.tex uses vs those generated, the figures and tables, and
# paper/check.sh on the real paper (passes) and on copies with a planted result (fail). Needs no
# TeX Live; needs gnuplot and python3.
add_test(NAME paper COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_paper.sh $<TARGET_FILE:synkti> ${CMAKE_SOURCE_DIR}
         ${CMAKE_CURRENT_BINARY_DIR}/paper)
set_tests_properties(paper PROPERTIES TIMEOUT 600)
