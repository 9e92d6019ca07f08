# The live preemption demo (analysis/live_demo.sh: synkti live on experiments/live/preemption-demo.yaml,
# then the simulator's replay) in a scratch folder: counts of launches, preemptions, restarts.
add_test(NAME live_demo COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_live_demo.sh $<TARGET_FILE:synkti> ${CMAKE_SOURCE_DIR})
set_tests_properties(live_demo PROPERTIES TIMEOUT 300)
