# The live preemption demo (analysis/live_demo.sh: synkti live on experiments/live/preemption-demo.yaml,
# then the simulator's replay) in a scratch folder: counts of launches, preemptions, restarts.
add_test(NAME live_demo COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_live_demo.sh $<TARGET_FILE:synkti> ${CMAKE_SOURCE_DIR})
set_tests_properties(live_demo PROPERTIES TIMEOUT 300)
# The status page and `synkti status|submit|cancel` against a real controller (the demo run), in
# headless Chromium; the screenshot is kept in this folder (live_page.png). Skipped without chromium.
add_test(NAME live_page COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_live_page.sh $<TARGET_FILE:synkti> ${CMAKE_SOURCE_DIR}
         ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(live_page PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
